using System.Text;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Scheduling;

namespace ActorRollup.Core.Staking;

/// <summary>
/// The whole L1 locking pool of one chain (PROTOCOL §5): balances, sequencer pools, positions, pending unlocks
/// and supply counters, composed from the per-entity types the grains hold. Pure and deterministic: epochs are
/// passed in and never go backwards. Every operation returns a reason; a refusal changes nothing (§9).
/// Conservation: Σ balances + Σ bonded + Σ reward pools + Σ unbonding == initial + minted + fees in − burned.
/// Not thread-safe: one owner (a grain) calls it at a time.
/// </summary>
public sealed class StakingLedger
{
    private readonly Dictionary<Address, UInt128> _balances = [];
    private readonly Dictionary<string, SequencerPool> _pools = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StakeHistory> _histories = new(StringComparer.Ordinal);
    private readonly Dictionary<(Address Staker, string SequencerId), StakePosition> _positions = [];
    private readonly Dictionary<Address, List<PendingUnlock>> _unlocks = [];
    private readonly HashSet<string> _usedSignerKeys = new(StringComparer.Ordinal);

    /// <summary>A ledger with <paramref name="parameters"/> (defaults if null); throws if they are invalid.</summary>
    public StakingLedger(StakingParameters? parameters = null)
    {
        Parameters = parameters ?? new StakingParameters();
        Parameters.EnsureValid();
    }

    public StakingParameters Parameters { get; }

    /// <summary>The latest epoch an applied operation carried; operations with an earlier epoch are refused.</summary>
    public ulong CurrentEpoch { get; private set; }

    /// <summary>True until the first applied operation other than <see cref="Fund"/>.</summary>
    public bool GenesisOpen { get; private set; } = true;

    public UInt128 InitialSupply { get; private set; }
    public UInt128 Minted { get; private set; }
    public UInt128 Burned { get; private set; }
    public UInt128 FeesIn { get; private set; }
    /// <summary>Σ block rewards credited to pools (minted + fees).</summary>
    public UInt128 RewardsCredited { get; private set; }
    /// <summary>Σ rewards and commission claimed out of pools.</summary>
    public UInt128 RewardsPaid { get; private set; }
    /// <summary>Σ amounts slashed (paid to reporters + burned).</summary>
    public UInt128 Slashed { get; private set; }
    /// <summary>Σ slash shares paid to reporters.</summary>
    public UInt128 ReporterRewards { get; private set; }

    // ---------------------------------------------------------------- queries

    public UInt128 BalanceOf(Address address) => _balances.GetValueOrDefault(address);

    public SequencerPool? Pool(string sequencerId) => _pools.GetValueOrDefault(sequencerId);

    public StakeHistory? History(string sequencerId) => _histories.GetValueOrDefault(sequencerId);

    /// <summary>Registered sequencer ids in ordinal (byte-wise for ASCII) order.</summary>
    public IReadOnlyList<string> SequencerIds => [.. _pools.Keys.Order(StringComparer.Ordinal)];

    public StakePosition? Position(Address staker, string sequencerId) => _positions.GetValueOrDefault((staker, sequencerId));

    /// <summary>Current value of a staker's position in a pool (0 if none).</summary>
    public UInt128 PositionValue(Address staker, string sequencerId) =>
        _positions.TryGetValue((staker, sequencerId), out var p) && _pools.TryGetValue(sequencerId, out var pool) ? pool.ValueOf(p.Shares) : UInt128.Zero;

    /// <summary>What <see cref="ClaimRewards"/> would pay now: pending reward, plus the commission for the owner.</summary>
    public UInt128 ClaimableRewards(Address staker, string sequencerId)
    {
        if (!_pools.TryGetValue(sequencerId, out var pool)) return UInt128.Zero;
        return pool.ClaimableBy(staker, Position(staker, sequencerId));
    }

    public IReadOnlyList<PendingUnlock> PendingUnlocks(Address staker) =>
        _unlocks.TryGetValue(staker, out var list) ? list.AsReadOnly() : [];

    /// <summary>
    /// What <paramref name="unlock"/> would pay if claimed now (<see cref="SequencerPool.TryGetUnbondingPayout"/>): its
    /// amount less any slash during the exit delay, all that is left for the bucket's last holder.
    /// </summary>
    public UInt128 PendingUnlockValue(PendingUnlock unlock)
    {
        ArgumentNullException.ThrowIfNull(unlock);
        if (!_pools.TryGetValue(unlock.SequencerId, out var pool)) return UInt128.Zero;
        return pool.TryGetUnbondingPayout(unlock.ClaimableFromEpoch, unlock.BucketShares, out var payout) ? payout : UInt128.Zero;
    }

    // ---------------------------------------------------------------- operations

    /// <summary>Genesis funding of an L1 balance (§2 genesis); refused once genesis is closed.</summary>
    public StakingResult Fund(Address address, UInt128 amount)
    {
        if (!GenesisOpen) return StakingResult.Refused(StakingReason.GenesisClosed);
        if (amount == UInt128.Zero) return StakingResult.Refused(StakingReason.ZeroAmount);
        UInt128 balance, supply;
        try
        {
            balance = checked(BalanceOf(address) + amount);
            supply = checked(InitialSupply + amount);
        }
        catch (OverflowException) { return StakingResult.Refused(StakingReason.Overflow); }
        _balances[address] = balance;
        InitialSupply = supply;
        return StakingResult.Ok(amount);
    }

    /// <summary>
    /// Registers a sequencer (§5): the rules of <see cref="SequencerPool.TryRegister"/> (id, 32-byte key, whitelist,
    /// self-stake in [minLock, maxLock]), then an id not taken, a signer key never used before, and the self-stake
    /// paid from the owner's balance. It starts as a Candidate.
    /// </summary>
    public StakingResult RegisterSequencer(Address owner, string sequencerId, ReadOnlySpan<byte> signerPublicKey, UInt128 selfStake, ulong epoch)
    {
        if (epoch < CurrentEpoch) return StakingResult.Refused(StakingReason.EpochRegressed);
        // An id already taken is refused as such first, as the sequencer grain does; the signer-key registry last, as rotation does.
        if (_pools.ContainsKey(sequencerId)) return StakingResult.Refused(StakingReason.AlreadyRegistered);
        var reason = SequencerPool.TryRegister(sequencerId, owner, signerPublicKey, selfStake, Parameters, epoch, out var registered, out var shares);
        if (reason != StakingReason.Ok) return StakingResult.Refused(reason);
        var pool = registered!;
        var keyHex = Convert.ToHexStringLower(signerPublicKey);
        if (_usedSignerKeys.Contains(keyHex)) return StakingResult.Refused(StakingReason.SignerKeyReused);
        var balance = BalanceOf(owner);
        if (balance < selfStake) return StakingResult.Refused(StakingReason.InsufficientBalance);

        var history = new StakeHistory(Parameters.ActivationDelayEpochs);
        history.Record(epoch, pool.TotalStake);
        _balances[owner] = balance - selfStake;
        _pools[sequencerId] = pool;
        _histories[sequencerId] = history;
        _positions[(owner, sequencerId)] = StakePosition.Empty(pool.RewardIndex).AddShares(shares, pool.RewardIndex);
        _usedSignerKeys.Add(keyHex);
        Touch(epoch);
        return StakingResult.Ok(selfStake);
    }

    /// <summary>
    /// Locks <paramref name="amount"/> of the staker's balance with a Candidate or Active sequencer (§5), keeping its
    /// total at most maxLock. The owner delegating to its own sequencer adds self-stake.
    /// </summary>
    public StakingResult Delegate(Address staker, string sequencerId, UInt128 amount, ulong epoch)
    {
        if (epoch < CurrentEpoch) return StakingResult.Refused(StakingReason.EpochRegressed);
        if (amount == UInt128.Zero) return StakingResult.Refused(StakingReason.ZeroAmount);
        if (!_pools.TryGetValue(sequencerId, out var pool)) return StakingResult.Refused(StakingReason.UnknownSequencer);
        var reason = pool.TryDeposit(amount, staker == pool.Owner, Parameters.MaxLock, epoch, out var next, out var shares);
        if (reason != StakingReason.Ok) return StakingResult.Refused(reason);
        var balance = BalanceOf(staker);
        if (balance < amount) return StakingResult.Refused(StakingReason.InsufficientBalance);
        StakePosition position;
        try
        {
            var current = Position(staker, sequencerId) ?? StakePosition.Empty(pool.RewardIndex);
            position = current.AddShares(shares, pool.RewardIndex);
        }
        catch (OverflowException) { return StakingResult.Refused(StakingReason.Overflow); }

        _balances[staker] = balance - amount;
        _pools[sequencerId] = next;
        _positions[(staker, sequencerId)] = position;
        _histories[sequencerId].Record(epoch, next.TotalStake);
        Touch(epoch);
        return StakingResult.Ok(amount);
    }

    /// <summary>
    /// Unlocks <paramref name="amount"/> of the staker's position (§5): it leaves the bonded stake now, stays slashable
    /// in its exit delay, and is claimable from epoch + ExitDelayEpochs. The owner may not leave 0 &lt; self &lt; minLock;
    /// the owner unlocking everything makes the sequencer Exiting. Rewards earned so far stay claimable.
    /// </summary>
    public StakingResult Unlock(Address staker, string sequencerId, UInt128 amount, ulong epoch)
    {
        if (epoch < CurrentEpoch) return StakingResult.Refused(StakingReason.EpochRegressed);
        if (amount == UInt128.Zero) return StakingResult.Refused(StakingReason.ZeroAmount);
        if (!_pools.TryGetValue(sequencerId, out var pool)) return StakingResult.Refused(StakingReason.UnknownSequencer);
        if (!_positions.TryGetValue((staker, sequencerId), out var position)) return StakingResult.Refused(StakingReason.UnlockExceedsLocked);
        var reason = pool.TryUnlockAt(position.Shares, amount, staker == pool.Owner, Parameters, epoch,
            out var next, out var burned, out var bucketShares, out var claimableFrom);
        if (reason != StakingReason.Ok) return StakingResult.Refused(reason);

        List<PendingUnlock> unlocks;
        StakePosition updated;
        try
        {
            updated = position.RemoveShares(burned, pool.RewardIndex);
            unlocks = [.. PendingUnlock.Record(PendingUnlocks(staker), new PendingUnlock(sequencerId, amount, bucketShares, epoch, claimableFrom))];
        }
        catch (OverflowException) { return StakingResult.Refused(StakingReason.Overflow); }

        _pools[sequencerId] = next;
        SetPosition(staker, sequencerId, updated);
        _unlocks[staker] = unlocks;
        _histories[sequencerId].Record(epoch, next.TotalStake);
        Touch(epoch);
        return StakingResult.Ok(amount);
    }

    /// <summary>
    /// Pays every pending unlock of the staker whose exit delay has passed at <paramref name="epoch"/> back to its
    /// balance (§5). The amount is the unlock's value now: the unlocked amount less any slash during the delay.
    /// </summary>
    public StakingResult ClaimUnlocked(Address staker, ulong epoch)
    {
        if (epoch < CurrentEpoch) return StakingResult.Refused(StakingReason.EpochRegressed);
        if (!_unlocks.TryGetValue(staker, out var list) || list.Count == 0) return StakingResult.Refused(StakingReason.NothingToClaim);
        if (!list.Exists(u => u.IsClaimableAt(epoch))) return StakingResult.Refused(StakingReason.ExitDelayNotPassed);

        var pools = new Dictionary<string, SequencerPool>(StringComparer.Ordinal);
        var remaining = new List<PendingUnlock>();
        UInt128 total = UInt128.Zero;
        UInt128 balance;
        try
        {
            foreach (var u in list)
            {
                if (!u.IsClaimableAt(epoch)) { remaining.Add(u); continue; }
                var pool = pools.GetValueOrDefault(u.SequencerId) ?? _pools[u.SequencerId];
                var claimed = pool.TryClaimUnbonding(u.ClaimableFromEpoch, u.BucketShares, epoch, out var next, out var amount);
                if (claimed != StakingReason.Ok) throw new InvalidOperationException($"{staker}'s unlock from {u.SequencerId} is not in its pool: {claimed}");
                pools[u.SequencerId] = next;
                total = checked(total + amount);
            }
            balance = checked(BalanceOf(staker) + total);
        }
        catch (OverflowException) { return StakingResult.Refused(StakingReason.Overflow); }

        foreach (var (id, pool) in pools) _pools[id] = pool;
        if (remaining.Count == 0) _unlocks.Remove(staker); else _unlocks[staker] = remaining;
        _balances[staker] = balance;
        Touch(epoch);
        return StakingResult.Ok(total);
    }

    /// <summary>Pays the staker's pending reward from the pool — and, for the owner, the accrued commission (§5).</summary>
    public StakingResult ClaimRewards(Address staker, string sequencerId)
    {
        if (!_pools.TryGetValue(sequencerId, out var pool)) return StakingResult.Refused(StakingReason.UnknownSequencer);
        var reason = pool.TryClaimRewards(staker, Position(staker, sequencerId), out var next, out var claimed, out var total);
        if (reason != StakingReason.Ok) return StakingResult.Refused(reason);
        UInt128 balance, paid;
        try
        {
            balance = checked(BalanceOf(staker) + total);
            paid = checked(RewardsPaid + total);
        }
        catch (OverflowException) { return StakingResult.Refused(StakingReason.Overflow); }

        _pools[sequencerId] = next;
        if (claimed is not null) SetPosition(staker, sequencerId, claimed);
        _balances[staker] = balance;
        RewardsPaid = paid;
        GenesisOpen = false;
        return StakingResult.Ok(total);
    }

    /// <summary>
    /// Credits one block to its proposer's pool (§5, §7 "with a quorum certificate ... the fees and reward are
    /// credited"): mints RewardPerBlock, takes the block's L2 fees in, and distributes the sum in O(1) (commission,
    /// then the reward index). Any status is credited: a certified block is paid even if its proposer is jailed
    /// later. Amount = reward + fees.
    /// </summary>
    public StakingResult CreditBlockReward(string sequencerId, UInt128 fees)
    {
        if (!_pools.TryGetValue(sequencerId, out var pool)) return StakingResult.Refused(StakingReason.UnknownSequencer);
        UInt128 amount, minted, feesIn, credited;
        try
        {
            amount = checked(Parameters.RewardPerBlock + fees);
            minted = checked(Minted + Parameters.RewardPerBlock);
            feesIn = checked(FeesIn + fees);
            credited = checked(RewardsCredited + amount);
        }
        catch (OverflowException) { return StakingResult.Refused(StakingReason.Overflow); }
        var reason = pool.TryDistribute(amount, Parameters.CommissionBps, out var next, out _);
        if (reason != StakingReason.Ok) return StakingResult.Refused(reason);

        _pools[sequencerId] = next;
        Minted = minted;
        FeesIn = feesIn;
        RewardsCredited = credited;
        GenesisOpen = false;
        return StakingResult.Ok(amount);
    }

    /// <summary>
    /// Slashes a sequencer for a proven offence (§5, §8) with <see cref="SequencerPool.TryPenalize"/>, the rule the
    /// Sequencer grain applies: cuts bonded and still-slashable unbonding stake pro rata; ReporterShareBps of it is
    /// split equally among the distinct reporters (the owner excluded) and the remainder of the split plus the rest
    /// is burned; then jails until <see cref="Penalty.JailedUntil"/>(epoch, jail epochs), or tombstones for equivocation.
    /// </summary>
    public SlashResult Slash(string sequencerId, SlashKind kind, IReadOnlyList<Address> reporters, ulong epoch)
    {
        ArgumentNullException.ThrowIfNull(reporters);
        if (epoch < CurrentEpoch) return SlashResult.Refused(StakingReason.EpochRegressed);
        if (!_pools.TryGetValue(sequencerId, out var pool)) return SlashResult.Refused(StakingReason.UnknownSequencer);
        var result = pool.TryPenalize(kind, Parameters, reporters, epoch, out var next, out var split);
        if (!result.IsOk) return result;

        var credits = new List<(Address, UInt128)>();
        UInt128 burnedTotal, slashedTotal, reporterTotal;
        try
        {
            foreach (var r in split.Rewarded) credits.Add((r, checked(BalanceOf(r) + split.PerReporter)));
            burnedTotal = checked(Burned + split.Burned);
            slashedTotal = checked(Slashed + result.Slashed);
            reporterTotal = checked(ReporterRewards + split.ToReporters);
        }
        catch (OverflowException) { return SlashResult.Refused(StakingReason.Overflow); }

        _pools[sequencerId] = next;
        foreach (var (r, balance) in credits) _balances[r] = balance;
        Burned = burnedTotal;
        Slashed = slashedTotal;
        ReporterRewards = reporterTotal;
        _histories[sequencerId].Record(epoch, next.TotalStake);
        Touch(epoch);
        return result;
    }

    /// <summary>
    /// Releases every jailed sequencer whose jail has run out at <paramref name="epoch"/> (§5; tombstoned never) and
    /// returns their ids. Call at each epoch start; an epoch before <see cref="CurrentEpoch"/> does nothing.
    /// </summary>
    public IReadOnlyList<string> ReleaseJailed(ulong epoch) =>
        Transition(epoch, p => p.ReleaseAt(epoch, Parameters.ActivationDelayEpochs));

    /// <summary>
    /// Promotes Candidates whose registration stake is effective at <paramref name="epoch"/> (registered + activation
    /// delay, §5) to Active and returns their ids. An epoch before <see cref="CurrentEpoch"/> does nothing.
    /// </summary>
    public IReadOnlyList<string> ActivateCandidates(ulong epoch) =>
        Transition(epoch, p => p.ActivateAt(epoch, Parameters.ActivationDelayEpochs));

    /// <summary>
    /// Every sequencer's standing for the committee of <paramref name="epoch"/> (§6), by id, ready for
    /// <see cref="CommitteeSelector.Select"/>: its effective stake from <see cref="StakeHistory.EffectiveAt"/> and
    /// eligibility (Candidate/Active, or a jail run out by then; never Exiting or Tombstoned; effective stake &gt; 0).
    /// </summary>
    public IReadOnlyList<SequencerStanding> Standings(ulong epoch)
    {
        var standings = new List<SequencerStanding>(_pools.Count);
        foreach (var id in SequencerIds)
        {
            var pool = _pools[id];
            standings.Add(Eligibility.StandingAt(id, pool.Status, pool.JailedUntilEpoch, _histories[id].EffectiveAt(epoch), epoch));
        }
        return standings;
    }

    /// <summary>Prunes every stake history (see <see cref="StakeHistory.Prune"/>).</summary>
    public void PruneHistory(ulong beforeEpoch)
    {
        foreach (var h in _histories.Values) h.Prune(beforeEpoch);
    }

    // ---------------------------------------------------------------- checks

    /// <summary>Σ balances + Σ bonded stake + Σ reward pools + Σ pending unlocks.</summary>
    public UInt128 TotalSupply() => CheckConservation().TotalSupply;

    /// <summary>The conservation equation of §5, with every figure.</summary>
    public ConservationReport CheckConservation()
    {
        UInt128 balances = UInt128.Zero, bonded = UInt128.Zero, rewards = UInt128.Zero, unbonding = UInt128.Zero;
        checked
        {
            foreach (var b in _balances.Values) balances += b;
            foreach (var p in _pools.Values)
            {
                bonded += p.TotalStake;
                rewards += p.RewardPool;
                unbonding += p.UnbondingStake;
            }
        }
        return new ConservationReport(balances, bonded, rewards, unbonding, InitialSupply, Minted, FeesIn, Burned);
    }

    /// <summary>
    /// Every broken internal invariant (empty when sound): conservation; per pool Σ position shares = total shares,
    /// owner shares mirrored, Σ position values ≤ bonded stake, Σ pending rewards + commission ≤ reward pool,
    /// history up to date; per bucket Σ pending-unlock shares = bucket shares; rewards paid ≤ rewards credited.
    /// </summary>
    public IReadOnlyList<string> CheckInvariants()
    {
        var errors = new List<string>();
        var conservation = CheckConservation();
        if (!conservation.Holds) errors.Add("conservation: " + conservation);
        if (RewardsPaid > RewardsCredited) errors.Add($"rewards paid {RewardsPaid} > credited {RewardsCredited}");
        if (checked(ReporterRewards + Burned) != Slashed) errors.Add($"reporter rewards {ReporterRewards} + burned {Burned} != slashed {Slashed}");
        foreach (var id in SequencerIds)
        {
            var pool = _pools[id];
            UInt128 shares = 0, values = 0, pending = 0;
            foreach (var ((staker, seq), pos) in _positions)
            {
                if (seq != id) continue;
                shares = checked(shares + pos.Shares);
                values = checked(values + pool.ValueOf(pos.Shares));
                pending = checked(pending + pos.PendingReward(pool.RewardIndex));
                if (staker == pool.Owner && pos.Shares != pool.OwnerShares) errors.Add($"{id}: owner position {pos.Shares} != owner shares {pool.OwnerShares}");
                if (pos.IsEmpty) errors.Add($"{id}: empty position of {staker} kept");
            }
            if (!_positions.ContainsKey((pool.Owner, id)) && pool.OwnerShares != 0) errors.Add($"{id}: owner shares without a position");
            if (shares != pool.TotalShares) errors.Add($"{id}: Σ position shares {shares} != total shares {pool.TotalShares}");
            if (values > pool.TotalStake) errors.Add($"{id}: Σ position values {values} > total stake {pool.TotalStake}");
            if (checked(pending + pool.CommissionAccrued) > pool.RewardPool) errors.Add($"{id}: Σ pending {pending} + commission {pool.CommissionAccrued} > reward pool {pool.RewardPool}");
            if (pool.TotalShares == 0 && pool.TotalStake != 0) errors.Add($"{id}: stake {pool.TotalStake} without shares");
            if (_histories[id].Latest != pool.TotalStake) errors.Add($"{id}: history {_histories[id].Latest} != stake {pool.TotalStake}");
            if (pool.TotalStake > Parameters.MaxLock) errors.Add($"{id}: stake above maxLock");
            foreach (var bucket in pool.Unbonding)
            {
                UInt128 bs = 0, bv = 0;
                foreach (var list in _unlocks.Values)
                    foreach (var u in list)
                        if (u.SequencerId == id && u.ClaimableFromEpoch == bucket.ClaimableFromEpoch)
                        {
                            bs = checked(bs + u.BucketShares);
                            bv = checked(bv + bucket.ValueOf(u.BucketShares));
                        }
                if (bs != bucket.Shares) errors.Add($"{id}: bucket {bucket.ClaimableFromEpoch} shares {bucket.Shares} != Σ unlocks {bs}");
                if (bv > bucket.Stake) errors.Add($"{id}: bucket {bucket.ClaimableFromEpoch} Σ values {bv} > stake {bucket.Stake}");
                if (bucket.Shares == 0) errors.Add($"{id}: empty bucket {bucket.ClaimableFromEpoch} kept");
            }
        }
        return errors;
    }

    /// <summary>A complete, deterministic text image of the ledger (sorted, base units), for comparisons and diagnostics.</summary>
    public string Dump()
    {
        var sb = new StringBuilder();
        sb.Append("epoch ").Append(CurrentEpoch).Append(" genesis ").Append(GenesisOpen).AppendLine();
        sb.Append("initial ").Append(InitialSupply).Append(" minted ").Append(Minted).Append(" fees ").Append(FeesIn)
          .Append(" burned ").Append(Burned).Append(" credited ").Append(RewardsCredited).Append(" paid ").Append(RewardsPaid)
          .Append(" slashed ").Append(Slashed).Append(" reporters ").Append(ReporterRewards).AppendLine();
        foreach (var (a, b) in _balances.OrderBy(kv => kv.Key))
            sb.Append("balance ").Append(a).Append(' ').Append(b).AppendLine();
        foreach (var id in SequencerIds)
        {
            var p = _pools[id];
            sb.Append("pool ").Append(id).Append(" owner ").Append(p.Owner).Append(" key ").Append(Convert.ToHexStringLower(p.SignerPublicKey.AsSpan()))
              .Append(" registered ").Append(p.RegisteredEpoch).Append(' ').Append(p.Status).Append(" jailedUntil ").Append(p.JailedUntilEpoch)
              .Append(" stake ").Append(p.TotalStake).Append(" shares ").Append(p.TotalShares).Append(" ownerShares ").Append(p.OwnerShares)
              .Append(" index ").Append(p.RewardIndex).Append(" commission ").Append(p.CommissionAccrued).Append(" rewardPool ").Append(p.RewardPool).AppendLine();
            foreach (var b in p.Unbonding)
                sb.Append("  bucket ").Append(b.ClaimableFromEpoch).Append(" stake ").Append(b.Stake).Append(" shares ").Append(b.Shares).AppendLine();
            var h = _histories[id];
            sb.Append("  history prunedBefore ").Append(h.PrunedBefore);
            foreach (var c in h.Checkpoints) sb.Append(' ').Append(c.Epoch).Append(':').Append(c.TotalStake);
            sb.AppendLine();
        }
        foreach (var ((staker, id), pos) in _positions.OrderBy(kv => kv.Key.Staker).ThenBy(kv => kv.Key.SequencerId, StringComparer.Ordinal))
            sb.Append("position ").Append(staker).Append(' ').Append(id).Append(" shares ").Append(pos.Shares)
              .Append(" checkpoint ").Append(pos.Checkpoint).Append(" settled ").Append(pos.Settled).AppendLine();
        foreach (var (staker, list) in _unlocks.OrderBy(kv => kv.Key))
            foreach (var u in list)
                sb.Append("unlock ").Append(staker).Append(' ').Append(u.SequencerId).Append(" amount ").Append(u.Amount)
                  .Append(" shares ").Append(u.BucketShares).Append(" made ").Append(u.UnlockedAtEpoch).Append(" from ").Append(u.ClaimableFromEpoch).AppendLine();
        foreach (var k in _usedSignerKeys.Order(StringComparer.Ordinal))
            sb.Append("signer ").Append(k).AppendLine();
        return sb.ToString();
    }

    // ---------------------------------------------------------------- helpers

    private IReadOnlyList<string> Transition(ulong epoch, Func<SequencerPool, SequencerPool> step)
    {
        if (epoch < CurrentEpoch) return [];
        var changed = new List<string>();
        foreach (var id in SequencerIds)
        {
            var pool = _pools[id];
            var next = step(pool);
            if (!ReferenceEquals(next, pool)) { _pools[id] = next; changed.Add(id); }
        }
        CurrentEpoch = epoch;
        return changed;
    }

    private void SetPosition(Address staker, string sequencerId, StakePosition position)
    {
        if (position.IsEmpty) _positions.Remove((staker, sequencerId));
        else _positions[(staker, sequencerId)] = position;
    }

    private void Touch(ulong epoch)
    {
        CurrentEpoch = epoch;
        GenesisOpen = false;
    }
}
