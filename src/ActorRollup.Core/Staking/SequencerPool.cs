using System.Collections.Immutable;
using ActorRollup.Core.Primitives;

namespace ActorRollup.Core.Staking;

/// <summary>
/// One sequencer's locking pool (PROTOCOL §1 Sequencer grain, §5): bonded stake as shares, a lazy
/// reward-per-share index, the owner's commission, the reward pool, status, and the unbonding buckets of
/// its pending unlocks. Immutable: every operation returns the next pool and changes nothing on refusal.
/// <list type="bullet">
/// <item>Deposit: shares = amount for the first deposit, else floor(amount × totalShares / totalStake).</item>
/// <item>Unlock: burns ceil(amount × totalShares / totalStake) shares — rounding favours those who stay.</item>
/// <item>Value of a position = floor(shares × totalStake / totalShares).</item>
/// <item>Block reward (O(1)): commission = floor(amount × bps / 10000) to the owner; the rest raises the index by
/// floor(rest × <see cref="IndexScale"/> / totalShares); the pool keeps the rounding dust.</item>
/// <item>Slash (O(buckets) ≤ exit delay + 1): bonded stake and still-slashable unbonding stake lose floor(stake × bps / 10000).</item>
/// </list>
/// </summary>
public sealed record SequencerPool
{
    /// <summary>Fixed-point scale of <see cref="RewardIndex"/> (reward base units per share × 10^18).</summary>
    public static readonly UInt128 IndexScale = 1_000_000_000_000_000_000UL;

    private SequencerPool(string id, Address owner, ImmutableArray<byte> signerPublicKey, ulong registeredEpoch)
    {
        Id = id;
        Owner = owner;
        SignerPublicKey = signerPublicKey;
        RegisteredEpoch = registeredEpoch;
    }

    /// <summary>The sequencer id (grain key within the chain).</summary>
    public string Id { get; }

    /// <summary>The address that registered it; its position is the self-stake and it earns the commission.</summary>
    public Address Owner { get; }

    /// <summary>The 32-byte Ed25519 key that signs its blocks and attestations.</summary>
    public ImmutableArray<byte> SignerPublicKey { get; }

    /// <summary>Epoch of registration.</summary>
    public ulong RegisteredEpoch { get; }

    public SequencerStatus Status { get; init; } = SequencerStatus.Candidate;

    /// <summary>First epoch at which a jail has run out (meaningful while <see cref="Status"/> is Jailed).</summary>
    public ulong JailedUntilEpoch { get; init; }

    /// <summary>Bonded stake (self + delegated), base units.</summary>
    public UInt128 TotalStake { get; init; }

    /// <summary>Shares outstanding over <see cref="TotalStake"/>.</summary>
    public UInt128 TotalShares { get; init; }

    /// <summary>The owner's shares (its self-stake), mirrored here so the pool can enforce minLock on self-unlocks.</summary>
    public UInt128 OwnerShares { get; init; }

    /// <summary>Cumulative reward per share, scaled by <see cref="IndexScale"/>. Never decreases.</summary>
    public UInt128 RewardIndex { get; init; }

    /// <summary>Commission owed to the owner and not yet claimed (part of <see cref="RewardPool"/>).</summary>
    public UInt128 CommissionAccrued { get; init; }

    /// <summary>Rewards credited and not yet claimed: commission, stakers' pending rewards and rounding dust.</summary>
    public UInt128 RewardPool { get; init; }

    /// <summary>Pending unlocks of this pool, one bucket per claimable-from epoch, ascending.</summary>
    public ImmutableArray<UnbondingBucket> Unbonding { get; init; } = ImmutableArray<UnbondingBucket>.Empty;

    /// <summary>A new, empty Candidate pool.</summary>
    public static SequencerPool Create(string id, Address owner, ReadOnlySpan<byte> signerPublicKey, ulong registeredEpoch)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        if (signerPublicKey.Length != Crypto.Ed25519.PublicKeySize)
            throw new ArgumentException("a signer key is a 32-byte Ed25519 public key", nameof(signerPublicKey));
        return new SequencerPool(id, owner, [.. signerPublicKey], registeredEpoch);
    }

    /// <summary>
    /// The registration rules of §5 and the new pool, written once for the ledger and the Sequencer grain: a non-empty
    /// id, a 32-byte signer key, the owner on the whitelist if there is one, a self-stake that is not zero and lies
    /// in [minLock, maxLock]; then a Candidate pool holding the self-stake as the owner's <paramref name="shares"/>.
    /// Checked in that order; the first broken rule is the reason and <paramref name="pool"/> is null. Whether the id
    /// is taken or the key was ever used, and whether the owner can pay, is the caller's registry and balance.
    /// </summary>
    public static StakingReason TryRegister(string id, Address owner, ReadOnlySpan<byte> signerPublicKey, UInt128 selfStake,
        StakingParameters parameters, ulong epoch, out SequencerPool? pool, out UInt128 shares)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        pool = null;
        shares = UInt128.Zero;
        if (string.IsNullOrEmpty(id)) return StakingReason.InvalidSequencerId;
        if (signerPublicKey.Length != Crypto.Ed25519.PublicKeySize) return StakingReason.InvalidSignerKey;
        if (parameters.Whitelist is { } whitelist && !whitelist.Contains(owner)) return StakingReason.NotWhitelisted;
        if (selfStake == UInt128.Zero) return StakingReason.ZeroAmount;
        if (selfStake < parameters.MinLock) return StakingReason.BelowMinLock;
        if (selfStake > parameters.MaxLock) return StakingReason.AboveMaxLock;
        var reason = Create(id, owner, signerPublicKey, epoch).TryDeposit(selfStake, byOwner: true, parameters.MaxLock, epoch, out var next, out shares);
        if (reason == StakingReason.Ok) pool = next;
        return reason;
    }

    /// <summary>Σ stake of the unbonding buckets (pending unlocks of this pool).</summary>
    public UInt128 UnbondingStake
    {
        get
        {
            UInt128 sum = UInt128.Zero;
            foreach (var b in Unbonding) sum = checked(sum + b.Stake);
            return sum;
        }
    }

    /// <summary>Value of <paramref name="shares"/>: floor(shares × totalStake / totalShares).</summary>
    public UInt128 ValueOf(UInt128 shares) =>
        TotalShares == UInt128.Zero ? UInt128.Zero : StakeMath.MulDivFloor(shares, TotalStake, TotalShares);

    /// <summary>The owner's self-stake value.</summary>
    public UInt128 SelfStake => ValueOf(OwnerShares);

    /// <summary>
    /// May sit on the committee of <paramref name="epoch"/> (§6): <see cref="Eligibility.IsEligibleAt"/> of its
    /// status and jail end.
    /// </summary>
    public bool IsEligibleAt(ulong epoch) => Eligibility.IsEligibleAt(Status, JailedUntilEpoch, epoch);

    /// <summary>Takes new stake in <paramref name="epoch"/>: eligible, and its share price is not zero.</summary>
    public bool AcceptsStakeAt(ulong epoch) =>
        IsEligibleAt(epoch) && !(TotalShares > UInt128.Zero && TotalStake == UInt128.Zero);

    /// <summary>
    /// Locks <paramref name="amount"/> (§5): mints shares, refusing when the total would exceed
    /// <paramref name="maxTotalStake"/> (maxLock).
    /// </summary>
    public StakingReason TryDeposit(UInt128 amount, bool byOwner, UInt128 maxTotalStake, ulong epoch, out SequencerPool next, out UInt128 sharesMinted)
    {
        next = this;
        sharesMinted = UInt128.Zero;
        if (amount == UInt128.Zero) return StakingReason.ZeroAmount;
        if (!AcceptsStakeAt(epoch)) return StakingReason.SequencerNotAcceptingStake;
        try
        {
            var stake = checked(TotalStake + amount);
            if (stake > maxTotalStake) return StakingReason.AboveMaxLock;
            var minted = TotalShares == UInt128.Zero ? amount : StakeMath.MulDivFloor(amount, TotalShares, TotalStake);
            if (minted == UInt128.Zero) return StakingReason.AmountTooSmall;
            next = this with
            {
                TotalStake = stake,
                TotalShares = checked(TotalShares + minted),
                OwnerShares = byOwner ? checked(OwnerShares + minted) : OwnerShares,
            };
            sharesMinted = minted;
            return StakingReason.Ok;
        }
        catch (OverflowException)
        {
            next = this;
            return StakingReason.Overflow;
        }
    }

    /// <summary>
    /// Unlocks <paramref name="amount"/> of a position holding <paramref name="positionShares"/> (§5): burns
    /// ceil(amount × totalShares / totalStake) shares (all of them when the amount is the whole value, or when
    /// what would remain is worth 0) and moves the amount into the unbonding bucket claimable from
    /// <paramref name="claimableFromEpoch"/>. For the owner, refuses a remainder in (0, <paramref name="minSelfStake"/>);
    /// the owner's full unlock makes the sequencer Exiting.
    /// </summary>
    public StakingReason TryUnlock(UInt128 positionShares, UInt128 amount, bool byOwner, UInt128 minSelfStake, ulong claimableFromEpoch,
        out SequencerPool next, out UInt128 sharesBurned, out UInt128 bucketShares)
    {
        next = this;
        sharesBurned = UInt128.Zero;
        bucketShares = UInt128.Zero;
        if (positionShares > TotalShares) throw new ArgumentException("a position cannot hold more shares than the pool", nameof(positionShares));
        if (byOwner && positionShares != OwnerShares) throw new ArgumentException("the owner's position must hold exactly the owner's shares", nameof(positionShares));
        if (amount == UInt128.Zero) return StakingReason.ZeroAmount;
        try
        {
            var value = ValueOf(positionShares);
            if (amount > value) return StakingReason.UnlockExceedsLocked;
            var burned = amount == value ? positionShares : StakeMath.MulDivCeil(amount, TotalShares, TotalStake);
            if (burned > positionShares) throw new InvalidOperationException("share burn exceeds the position"); // unreachable: amount <= value
            var stake = TotalStake - amount;
            var remaining = positionShares - burned;
            if (remaining > UInt128.Zero && StakeMath.MulDivFloor(remaining, stake, TotalShares - burned) == UInt128.Zero)
            {
                burned = positionShares; // a remainder worth nothing is burned too: the dust stays with those who stay
                remaining = UInt128.Zero;
            }
            var shares = TotalShares - burned;
            if (shares == UInt128.Zero && stake != UInt128.Zero) throw new InvalidOperationException("stake left without shares"); // unreachable
            if (byOwner && remaining > UInt128.Zero && StakeMath.MulDivFloor(remaining, stake, shares) < minSelfStake)
                return StakingReason.SelfStakeBelowMinLock;

            var buckets = Unbonding;
            int at = 0;
            while (at < buckets.Length && buckets[at].ClaimableFromEpoch < claimableFromEpoch) at++;
            bool exists = at < buckets.Length && buckets[at].ClaimableFromEpoch == claimableFromEpoch;
            var bucket = exists ? buckets[at] : new UnbondingBucket(claimableFromEpoch, UInt128.Zero, UInt128.Zero);
            if (bucket.Shares > UInt128.Zero && bucket.Stake == UInt128.Zero) return StakingReason.SequencerNotAcceptingStake;
            var added = bucket.Add(amount, out var minted);
            if (added is null) return StakingReason.AmountTooSmall;
            buckets = exists ? buckets.SetItem(at, added) : buckets.Insert(at, added);

            var status = Status;
            if (byOwner && remaining == UInt128.Zero && status != SequencerStatus.Tombstoned) status = SequencerStatus.Exiting;
            next = this with
            {
                TotalStake = stake,
                TotalShares = shares,
                OwnerShares = byOwner ? remaining : OwnerShares,
                Unbonding = buckets,
                Status = status,
            };
            sharesBurned = burned;
            bucketShares = minted;
            return StakingReason.Ok;
        }
        catch (OverflowException)
        {
            next = this;
            sharesBurned = UInt128.Zero;
            bucketShares = UInt128.Zero;
            return StakingReason.Overflow;
        }
    }

    /// <summary>
    /// An unlock as a staker asks for it in <paramref name="epoch"/> (§5), for the ledger and the Sequencer grain
    /// alike: a position that does not match the pool (more shares than the pool, or an owner position that is not
    /// the owner's shares) is refused with <see cref="StakingReason.UnlockExceedsLocked"/>; the unlock is claimable
    /// from <see cref="StakingParameters.TryClaimableFrom"/>(epoch) (<see cref="StakingReason.Overflow"/> past 64 bits);
    /// then <see cref="TryUnlock"/> with the parameters' minLock.
    /// </summary>
    public StakingReason TryUnlockAt(UInt128 positionShares, UInt128 amount, bool byOwner, StakingParameters parameters, ulong epoch,
        out SequencerPool next, out UInt128 sharesBurned, out UInt128 bucketShares, out ulong claimableFromEpoch)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        next = this;
        sharesBurned = bucketShares = UInt128.Zero;
        claimableFromEpoch = 0;
        if (positionShares > TotalShares || (byOwner && positionShares != OwnerShares)) return StakingReason.UnlockExceedsLocked;
        if (!parameters.TryClaimableFrom(epoch, out var claimableFrom)) return StakingReason.Overflow;
        var reason = TryUnlock(positionShares, amount, byOwner, parameters.MinLock, claimableFrom, out next, out sharesBurned, out bucketShares);
        if (reason == StakingReason.Ok) claimableFromEpoch = claimableFrom;
        return reason;
    }

    /// <summary>
    /// What <paramref name="bucketShares"/> of the unbonding bucket claimable from <paramref name="claimableFromEpoch"/>
    /// would pay now (<see cref="UnbondingBucket.PayoutOf"/>: the amount unlocked less any slash in the exit delay);
    /// false when there is no such bucket or it holds fewer shares.
    /// </summary>
    public bool TryGetUnbondingPayout(ulong claimableFromEpoch, UInt128 bucketShares, out UInt128 payout)
    {
        payout = UInt128.Zero;
        foreach (var b in Unbonding)
        {
            if (b.ClaimableFromEpoch != claimableFromEpoch) continue;
            if (bucketShares > b.Shares) return false;
            payout = b.PayoutOf(bucketShares);
            return true;
        }
        return false;
    }

    /// <summary>
    /// A claim of <paramref name="bucketShares"/> of the bucket claimable from <paramref name="claimableFromEpoch"/>,
    /// made in <paramref name="epoch"/> (§5): <see cref="StakingReason.ExitDelayNotPassed"/> before that epoch,
    /// <see cref="StakingReason.NothingToClaim"/> when the bucket or its shares do not exist, else
    /// <see cref="WithdrawUnbonding"/>.
    /// </summary>
    public StakingReason TryClaimUnbonding(ulong claimableFromEpoch, UInt128 bucketShares, ulong epoch, out SequencerPool next, out UInt128 amount)
    {
        next = this;
        amount = UInt128.Zero;
        if (epoch < claimableFromEpoch) return StakingReason.ExitDelayNotPassed;
        if (!TryGetUnbondingPayout(claimableFromEpoch, bucketShares, out _)) return StakingReason.NothingToClaim;
        next = WithdrawUnbonding(claimableFromEpoch, bucketShares, out amount);
        return StakingReason.Ok;
    }

    /// <summary>
    /// Pays out <paramref name="bucketShares"/> of the bucket claimable from <paramref name="claimableFromEpoch"/>
    /// (the caller checks the exit delay). Throws if the bucket or shares do not exist: that is an accounting bug.
    /// </summary>
    public SequencerPool WithdrawUnbonding(ulong claimableFromEpoch, UInt128 bucketShares, out UInt128 amount)
    {
        int at = -1;
        for (int i = 0; i < Unbonding.Length; i++)
            if (Unbonding[i].ClaimableFromEpoch == claimableFromEpoch) { at = i; break; }
        if (at < 0) throw new InvalidOperationException($"pool {Id} has no unbonding bucket for epoch {claimableFromEpoch}");
        var bucket = Unbonding[at].Withdraw(bucketShares, out amount);
        var buckets = bucket.Shares == UInt128.Zero ? Unbonding.RemoveAt(at) : Unbonding.SetItem(at, bucket);
        return this with { Unbonding = buckets };
    }

    /// <summary>
    /// Credits a block reward of <paramref name="amount"/> in O(1) (§5): commission to the owner, the rest raises the
    /// reward index. With no shares outstanding the whole amount is commission.
    /// </summary>
    public StakingReason TryDistribute(UInt128 amount, uint commissionBps, out SequencerPool next, out UInt128 commission)
    {
        next = this;
        commission = UInt128.Zero;
        if (commissionBps > StakeMath.BpsDenominator) throw new ArgumentOutOfRangeException(nameof(commissionBps));
        try
        {
            var cut = StakeMath.ApplyBps(amount, commissionBps);
            var index = RewardIndex;
            if (TotalShares == UInt128.Zero) cut = amount;
            else index = checked(index + StakeMath.MulDivFloor(amount - cut, IndexScale, TotalShares));
            next = this with
            {
                RewardIndex = index,
                CommissionAccrued = checked(CommissionAccrued + cut),
                RewardPool = checked(RewardPool + amount),
            };
            commission = cut;
            return StakingReason.Ok;
        }
        catch (OverflowException)
        {
            next = this;
            commission = UInt128.Zero;
            return StakingReason.Overflow;
        }
    }

    /// <summary>
    /// What <paramref name="staker"/>, holding <paramref name="position"/> in this pool (null: none), can claim now
    /// (§5): the position's pending reward, plus the accrued commission when the staker is the owner.
    /// </summary>
    public UInt128 ClaimableBy(Address staker, StakePosition? position)
    {
        var reward = position is null ? UInt128.Zero : position.PendingReward(RewardIndex);
        return staker == Owner ? checked(reward + CommissionAccrued) : reward;
    }

    /// <summary>
    /// A reward claim by <paramref name="staker"/> holding <paramref name="position"/> (null: none; an owner that has
    /// left its pool still earns the commission of its last blocks), for the ledger and the Sequencer grain alike:
    /// a position that does not match the pool (more shares than the pool, or a checkpoint past the index) or a total
    /// of 0 is <see cref="StakingReason.NothingToClaim"/>; otherwise <paramref name="paid"/> = <see cref="ClaimableBy"/>
    /// leaves the reward pool and <paramref name="claimed"/> is the position checkpointed at the index with nothing
    /// pending (null when there was no position).
    /// </summary>
    public StakingReason TryClaimRewards(Address staker, StakePosition? position, out SequencerPool next, out StakePosition? claimed, out UInt128 paid)
    {
        next = this;
        claimed = null;
        paid = UInt128.Zero;
        if (position is not null && (position.Shares > TotalShares || position.Checkpoint > RewardIndex)) return StakingReason.NothingToClaim;
        try
        {
            var reward = UInt128.Zero;
            var after = position?.Claim(RewardIndex, out reward);
            var commission = staker == Owner ? CommissionAccrued : UInt128.Zero;
            var total = checked(reward + commission);
            if (total == UInt128.Zero) return StakingReason.NothingToClaim;
            next = PayOut(reward, commission);
            claimed = after;
            paid = total;
            return StakingReason.Ok;
        }
        catch (OverflowException)
        {
            next = this;
            return StakingReason.Overflow;
        }
    }

    /// <summary>Takes <paramref name="stakerReward"/> + <paramref name="commission"/> out of the reward pool. Throws on an accounting bug (more than it holds).</summary>
    public SequencerPool PayOut(UInt128 stakerReward, UInt128 commission)
    {
        if (commission > CommissionAccrued) throw new InvalidOperationException($"pool {Id}: commission claim exceeds the accrued commission");
        var total = checked(stakerReward + commission);
        if (total > RewardPool) throw new InvalidOperationException($"pool {Id}: reward claim exceeds the reward pool");
        return this with { RewardPool = RewardPool - total, CommissionAccrued = CommissionAccrued - commission };
    }

    /// <summary>
    /// Cuts bonded stake and every unbonding bucket not yet claimable at <paramref name="epoch"/> by
    /// floor(stake × bps / 10000) (§5: pro rata through the share price; positions keep their shares).
    /// </summary>
    public StakingReason TrySlash(uint bps, ulong epoch, out SequencerPool next, out UInt128 slashed)
    {
        next = this;
        slashed = UInt128.Zero;
        if (bps == 0 || bps > StakeMath.BpsDenominator) return StakingReason.InvalidSlashRate;
        var cut = StakeMath.ApplyBps(TotalStake, bps);
        var total = cut;
        var buckets = Unbonding.ToBuilder();
        for (int i = 0; i < buckets.Count; i++)
        {
            if (buckets[i].ClaimableFromEpoch <= epoch) continue; // claimable funds are no longer at stake
            buckets[i] = buckets[i].Slash(bps, out var s);
            total = checked(total + s);
        }
        next = this with { TotalStake = TotalStake - cut, Unbonding = buckets.ToImmutable() };
        slashed = total;
        return StakingReason.Ok;
    }

    /// <summary>
    /// Applies the penalty of a proven offence of <paramref name="kind"/> in <paramref name="epoch"/> (§5, §8):
    /// <see cref="TrySlash"/> at the offence's rate, <see cref="Penalty.Split"/> of the amount among
    /// <paramref name="reporters"/>, then a tombstone (equivocation) or a jail until
    /// <see cref="Penalty.JailedUntil"/>. A tombstoned pool is not punished again (<see cref="StakingReason.AlreadyTombstoned"/>).
    /// On refusal <paramref name="next"/> is this pool and the result carries only the reason. The caller pays
    /// <paramref name="split"/>'s reporters and counts its burn.
    /// </summary>
    public SlashResult TryPenalize(SlashKind kind, StakingParameters parameters, IEnumerable<Address> reporters, ulong epoch,
        out SequencerPool next, out ReporterSplit split)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(reporters);
        next = this;
        split = new ReporterSplit([], UInt128.Zero, UInt128.Zero, UInt128.Zero);
        if (Status == SequencerStatus.Tombstoned) return SlashResult.Refused(StakingReason.AlreadyTombstoned);
        var (bps, jailEpochs, tombstone) = parameters.PenaltyFor(kind);
        try
        {
            var reason = TrySlash(bps, epoch, out var cut, out var slashed);
            if (reason != StakingReason.Ok) return SlashResult.Refused(reason);
            var divided = Penalty.Split(slashed, reporters, Owner, parameters.ReporterShareBps);
            var punished = tombstone ? cut.Tombstone() : cut.Jail(Penalty.JailedUntil(epoch, jailEpochs));
            next = punished;
            split = divided;
            return new SlashResult(StakingReason.Ok, slashed, divided.ToReporters, divided.PerReporter, divided.Rewarded.Count, divided.Burned,
                punished.Status, punished.Status == SequencerStatus.Jailed ? punished.JailedUntilEpoch : 0);
        }
        catch (OverflowException)
        {
            next = this;
            return SlashResult.Refused(StakingReason.Overflow);
        }
    }

    /// <summary>Jails until <paramref name="untilEpoch"/> (extending, never shortening, a running jail). Exiting and Tombstoned keep their status.</summary>
    public SequencerPool Jail(ulong untilEpoch)
    {
        var until = Math.Max(untilEpoch, Status == SequencerStatus.Jailed ? JailedUntilEpoch : 0);
        return Status switch
        {
            SequencerStatus.Tombstoned => this,
            SequencerStatus.Exiting => this with { JailedUntilEpoch = until },
            _ => this with { Status = SequencerStatus.Jailed, JailedUntilEpoch = until },
        };
    }

    /// <summary>Permanent ban (§5 equivocation).</summary>
    public SequencerPool Tombstone() => this with { Status = SequencerStatus.Tombstoned };

    /// <summary>Ends a jail that has run out at <paramref name="epoch"/>: back to Active, or Candidate if its registration stake is not yet effective.</summary>
    public SequencerPool ReleaseAt(ulong epoch, ulong activationDelayEpochs)
    {
        if (!Eligibility.JailServed(Status, JailedUntilEpoch, epoch)) return this;
        return this with { Status = IsActivatedAt(epoch, activationDelayEpochs) ? SequencerStatus.Active : SequencerStatus.Candidate };
    }

    /// <summary>Promotes a Candidate whose registration stake is effective at <paramref name="epoch"/> (registered + activation delay; genesis at once) to Active.</summary>
    public SequencerPool ActivateAt(ulong epoch, ulong activationDelayEpochs) =>
        Status == SequencerStatus.Candidate && IsActivatedAt(epoch, activationDelayEpochs) ? this with { Status = SequencerStatus.Active } : this;

    // Genesis registrations (epoch 0) are effective from the start, as in StakeHistory.EffectiveAt.
    private bool IsActivatedAt(ulong epoch, ulong activationDelayEpochs) =>
        RegisteredEpoch == 0 || (epoch >= RegisteredEpoch && epoch - RegisteredEpoch >= activationDelayEpochs);
}
