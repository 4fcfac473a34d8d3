using System.Text;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Staking;
using FsCheck.Xunit;
using static ActorRollup.Core.Tests.Staking.StakingFixture;

namespace ActorRollup.Core.Tests.Staking;

/// <summary>
/// Random operation sequences: FsCheck's int arrays are read as a program over four stakers, three sequencer
/// ids and four signer keys (so registrations collide, keys get reused, caps and minimums are hit, slashes
/// land on unbonding stake). Amounts carry odd base units so every rounding path is exercised.
/// </summary>
public class StakingPropertyTests
{
    private static readonly Address[] Stakers = [Addr(1), Addr(2), Addr(3), Addr(4)];
    private static readonly Address[] Reporters = [Addr(10), Addr(11), Addr(12), Addr(1)];
    private static readonly string[] Ids = ["s0", "s1", "s2", "s3"];

    /// <summary>Default parameters, or awkward ones: odd rates, a reward that never divides evenly, a longer exit delay.</summary>
    private static StakingParameters ParametersFor(int selector) => (uint)selector % 2 == 0
        ? new StakingParameters()
        : new StakingParameters
        {
            CommissionBps = 777,
            RewardPerBlock = 1_000_000_000_000_000_003UL,
            InvalidRootSlashBps = 3_333,
            EquivocationSlashBps = 10_000,
            DowntimeSlashBps = 7,
            ReporterShareBps = 6_667,
            ExitDelayEpochs = 3,
            InvalidRootJailEpochs = 1,
        };

    /// <summary>
    /// Runs the program: each element is one operation, its kind and arguments drawn from a SplitMix64 stream seeded
    /// by (element, position). Two pools are set up first so most operations find something to act on.
    /// <paramref name="afterEach"/> sees each step's description, result and the dump from before it.
    /// </summary>
    private static StakingLedger Run(int[] program, Action<StakingLedger, string, StakingReason, string>? afterEach, StringBuilder? trace = null, Action<StakingLedger>? beforeEach = null)
    {
        ulong state = 0;
        int Next(int n)
        {
            state += 0x9E3779B97F4A7C15UL;
            ulong z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return (int)((z ^ (z >> 31)) % (ulong)n);
        }
        var ledger = new StakingLedger(ParametersFor(program.Length));
        foreach (var s in Stakers) ledger.Fund(s, T(400_000));
        Assert.True(ledger.RegisterSequencer(Stakers[0], Ids[0], Key(0), T(20_000), 0).IsOk);
        Assert.True(ledger.RegisterSequencer(Stakers[1], Ids[1], Key(1), T(45_000) + 12_345, 0).IsOk);
        Assert.True(ledger.Delegate(Stakers[2], Ids[0], T(30_000) + 7, 0).IsOk);
        ulong epoch = 0;

        string PickId()
        {
            var registered = ledger.SequencerIds;
            return Next(5) == 0 || registered.Count == 0 ? Ids[Next(Ids.Length)] : registered[Next(registered.Count)];
        }
        (Address, string) PickPosition()
        {
            var held = (from st in Stakers from id in ledger.SequencerIds where ledger.Position(st, id) is not null select (st, id)).ToList();
            return Next(5) == 0 || held.Count == 0 ? (Stakers[Next(4)], Ids[Next(Ids.Length)]) : held[Next(held.Count)];
        }
        Address PickClaimant()
        {
            var waiting = Stakers.Where(st => ledger.PendingUnlocks(st).Count > 0).ToList();
            return Next(5) == 0 || waiting.Count == 0 ? Stakers[Next(4)] : waiting[Next(waiting.Count)];
        }

        UInt128 Odd() => (UInt128)(ulong)Next(1000) * 1_000_003UL + (UInt128)(ulong)Next(7);

        for (int at = 0; at < program.Length; at++)
        {
            state = ((ulong)(uint)program[at] << 32) ^ (ulong)at;
            beforeEach?.Invoke(ledger);
            var before = afterEach is null ? "" : ledger.Dump();
            string step;
            StakingReason reason;
            switch (Next(12))
            {
                case 0:
                {
                    var owner = Stakers[Next(4)];
                    var id = Ids[Next(Ids.Length)];
                    var key = Key(Next(6));
                    UInt128 stake = Next(6) switch
                    {
                        0 => ledger.Parameters.MinLock - 1,
                        1 => ledger.Parameters.MinLock,
                        2 => ledger.Parameters.MaxLock,
                        3 => ledger.Parameters.MaxLock + 1,
                        _ => T((ulong)(20_000 + Next(60) * 1_000)) + Odd(),
                    };
                    step = $"register {owner} {id} {stake}";
                    reason = ledger.RegisterSequencer(owner, id, key, stake, epoch).Reason;
                    break;
                }
                case 1:
                case 2:
                {
                    var staker = Stakers[Next(4)];
                    var id = PickId();
                    UInt128 amount = Next(4) == 0 ? Odd() : T((ulong)(1 + Next(40)) * 1_000) + Odd();
                    step = $"delegate {staker} {id} {amount}";
                    reason = ledger.Delegate(staker, id, amount, epoch).Reason;
                    break;
                }
                case 3:
                {
                    var (staker, id) = PickPosition();
                    var value = ledger.PositionValue(staker, id);
                    UInt128 amount = Next(5) switch
                    {
                        0 => value,
                        1 => value + 1,
                        2 => Odd(),
                        _ => value * (UInt128)(ulong)(1 + Next(7)) / 8,
                    };
                    step = $"unlock {staker} {id} {amount} of {value}";
                    reason = ledger.Unlock(staker, id, amount, epoch).Reason;
                    break;
                }
                case 4:
                {
                    var staker = PickClaimant();
                    step = $"claimUnlocked {staker}";
                    reason = ledger.ClaimUnlocked(staker, epoch).Reason;
                    break;
                }
                case 5:
                {
                    var (staker, id) = Next(4) == 0 ? (ledger.Pool(PickId())?.Owner ?? Stakers[0], PickId()) : PickPosition();
                    step = $"claimRewards {staker} {id}";
                    reason = ledger.ClaimRewards(staker, id).Reason;
                    break;
                }
                case 6:
                case 7:
                case 8:
                {
                    var id = PickId();
                    UInt128 fees = Next(3) == 0 ? UInt128.Zero : Odd() * 1_000_000;
                    step = $"credit {id} {fees}";
                    reason = ledger.CreditBlockReward(id, fees).Reason;
                    break;
                }
                case 9:
                {
                    var id = PickId();
                    var kind = (SlashKind)Next(3);
                    if (Next(2) == 0) epoch += (ulong)Next(2);
                    var reporters = Reporters.Where((_, i) => (Next(16) & (1 << i)) != 0).ToArray();
                    step = $"slash {id} {kind} by {reporters.Length}";
                    reason = ledger.Slash(id, kind, reporters, epoch).Reason;
                    break;
                }
                default:
                {
                    epoch += (ulong)Next(3);
                    step = $"epoch {epoch}";
                    if (Next(2) == 0) // otherwise the ledger learns of the new epoch from the next operation
                    {
                        ledger.ReleaseJailed(epoch);
                        ledger.ActivateCandidates(epoch);
                    }
                    if (Next(4) == 0 && epoch > 4) ledger.PruneHistory(epoch - 4);
                    reason = StakingReason.Ok;
                    break;
                }
            }
            trace?.Append(step).Append(" -> ").Append(reason).AppendLine();
            afterEach?.Invoke(ledger, step, reason, before);
        }
        return ledger;
    }

    /// <summary>Checks from the public queries alone, independent of <see cref="StakingLedger.CheckInvariants"/>.</summary>
    private static void AssertBounded(StakingLedger ledger, string context)
    {
        var report = ledger.CheckConservation();
        Assert.True(report.Holds, $"{context}: {report}");
        UInt128 independent = 0;
        foreach (var a in Stakers.Concat(Reporters).Distinct()) independent += ledger.BalanceOf(a);
        foreach (var id in ledger.SequencerIds)
        {
            var pool = ledger.Pool(id)!;
            independent += pool.TotalStake + pool.RewardPool + pool.UnbondingStake;
            UInt128 values = 0, claimable = 0;
            foreach (var s in Stakers)
            {
                values += ledger.PositionValue(s, id);
                claimable += ledger.ClaimableRewards(s, id); // the owner's includes the commission
            }
            Assert.True(values <= pool.TotalStake, $"{context}: {id} Σ values {values} > stake {pool.TotalStake}");
            Assert.True(claimable <= pool.RewardPool, $"{context}: {id} Σ claimable {claimable} > reward pool {pool.RewardPool}");
            Assert.True(pool.TotalStake <= ledger.Parameters.MaxLock, $"{context}: {id} above maxLock");
        }
        Assert.Equal(report.TotalSupply, independent);
        Assert.True(ledger.RewardsPaid <= ledger.RewardsCredited, $"{context}: paid {ledger.RewardsPaid} > credited {ledger.RewardsCredited}");
    }

    [Property(MaxTest = 300)]
    public void Conservation_and_bounds_hold_after_every_operation(int[] program)
    {
        Run(program, (ledger, step, reason, before) =>
        {
            var errors = ledger.CheckInvariants();
            Assert.True(errors.Count == 0, $"after {step} -> {reason}:\n{string.Join("\n", errors)}");
            AssertBounded(ledger, $"after {step} -> {reason}");
        });
    }

    /// <summary>Every position's value and every pending unlock's value, by a stable key.</summary>
    private static Dictionary<string, UInt128> Values(StakingLedger ledger)
    {
        var values = new Dictionary<string, UInt128>();
        foreach (var st in Stakers)
        {
            foreach (var id in ledger.SequencerIds)
                if (ledger.Position(st, id) is not null) values[$"{st} {id}"] = ledger.PositionValue(st, id);
            foreach (var u in ledger.PendingUnlocks(st))
                values[$"{st} {u.SequencerId} unlock {u.ClaimableFromEpoch}"] = ledger.PendingUnlockValue(u);
        }
        return values;
    }

    [Property(MaxTest = 300)]
    public void Rounding_always_favours_those_who_stay(int[] program)
    {
        Dictionary<string, UInt128> before = [];
        Run(program, (ledger, step, reason, _) =>
        {
            var after = Values(ledger);
            var words = step.Split(' ');
            if (reason == StakingReason.Ok && words[0] is "delegate" or "unlock" or "claimUnlocked")
            {
                var mover = words[1];
                foreach (var (key, was) in before)
                {
                    if (key.StartsWith(mover, StringComparison.Ordinal)) continue;
                    var now = after.GetValueOrDefault(key);
                    Assert.True(now >= was, $"{step}: {key} fell from {was} to {now}");
                }
                if (words[0] == "claimUnlocked") return;
                var amount = UInt128.Parse(words[3]);
                var had = before.GetValueOrDefault($"{mover} {words[2]}");
                var has = after.GetValueOrDefault($"{mover} {words[2]}");
                if (words[0] == "delegate") Assert.True(has <= had + amount, $"{step}: the delegator's value rose by more than it paid ({had} -> {has})");
                else Assert.True(has + amount <= had, $"{step}: the unlocker kept more than it should ({had} -> {has})");
            }
        }, beforeEach: ledger => before = Values(ledger));
    }

    [Property(MaxTest = 300)]
    public void A_refused_operation_changes_nothing(int[] program)
    {
        Run(program, (ledger, step, reason, before) =>
        {
            if (reason != StakingReason.Ok) Assert.True(before == ledger.Dump(), $"{step} -> {reason} changed the ledger");
        });
    }

    [Property(MaxTest = 200)]
    public void Rewards_paid_never_exceed_rewards_credited_even_when_everything_is_claimed(int[] program)
    {
        var ledger = Run(program, null);
        foreach (var id in ledger.SequencerIds)
            foreach (var s in Stakers)
                ledger.ClaimRewards(s, id);
        Assert.True(ledger.RewardsPaid <= ledger.RewardsCredited);
        UInt128 left = 0;
        foreach (var id in ledger.SequencerIds)
        {
            var pool = ledger.Pool(id)!;
            Assert.Equal(UInt128.Zero, pool.CommissionAccrued);
            left += pool.RewardPool; // only rounding dust remains
        }
        Assert.Equal(ledger.RewardsCredited - ledger.RewardsPaid, left);
        AssertBounded(ledger, "after claiming everything");
    }

    [Property(MaxTest = 200)]
    public void The_same_program_gives_the_same_ledger(int[] program)
    {
        var t1 = new StringBuilder();
        var t2 = new StringBuilder();
        var a = Run(program, null, t1);
        var b = Run(program, null, t2);
        Assert.Equal(t1.ToString(), t2.ToString());
        Assert.Equal(a.Dump(), b.Dump());
    }
}
