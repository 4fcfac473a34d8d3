using System.Security.Cryptography;
using System.Text;
using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Staking;

namespace ActorRollup.IntegrationTests;

/// <summary>
/// The L1 locking pool through the staker and sequencer grains (PROTOCOL.md §5, docs/STAKING.md): every refusal with
/// its reason code and no change, registration into the committee two epochs later, rewards of finalized blocks shared
/// pro rata after the commission, unlock → exit delay → claim, and slashing that cuts every position by one fraction.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class StakingTests(ClusterFixture fixture)
{
    /// <summary>
    /// A failover slashes its leader for downtime (0.01%) and would move the exact amounts these tests check: a leader
    /// timeout well above a loaded machine's hiccups keeps failovers out of them.
    /// </summary>
    private static void Steady(ChainConfig config) => config.LeaderTimeoutMs = 5_000;

    /// <summary>The genesis stakes (tokens) of seq-000 … seq-003 that these tests' numbers are written against.</summary>
    private static readonly ulong[] Stakes = [40_000, 30_000, 25_000, 20_000];

    private static readonly TimeSpan EpochWait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Every_refused_staking_action_names_its_reason_and_leaves_the_staker_and_the_pool_unchanged()
    {
        // maxLock 60,000 tokens: below the 100,000 an owner holds liquid, so "above maxLock" is reachable by balance.
        var chain = await TestChain.Start(fixture.Client, "stk-refuse", c => { Steady(c); c.MaxLockTokens = 60_000; }, Stakes, accounts: 2);
        try
        {
            var a = Owner(chain, "seq-000"); // owns a pool of 40,000
            var b = Owner(chain, "seq-001");
            var c = Owner(chain, "seq-002");
            var liquid = Token.FromTokens(chain.Genesis.OwnerL1Tokens);
            Assert.Equal(liquid, (await a.View()).Balance);
            var minLock = Token.FromTokens(chain.Config.MinLockTokens);
            var maxLock = Token.FromTokens(chain.Config.MaxLockTokens);

            // --- signatures: only the staker's own key, over this very action on this chain, acts for it
            var foreign = StakeAction.Create(b.Key, chain.Id, StakeActionKind.Delegate, "seq-000", Token.OneToken, (await a.View()).Nonce);
            await Refused(chain, a, StakingReason.BadSignature, foreign, "an action by another staker sent to this staker", "seq-000");
            var own = await a.Action(StakeActionKind.Delegate, "seq-000", Token.OneToken);
            await Refused(chain, a, StakingReason.BadSignature, own with { Signature = b.Key.Sign(own.SigningPayload()) }, "the staker's action signed by another key", "seq-000");
            await Refused(chain, a, StakingReason.BadSignature, own with { Amount = own.Amount + 1 }, "the amount changed after signing", "seq-000");
            await Refused(chain, a, StakingReason.BadSignature, StakeAction.Create(a.Key, "another-chain", StakeActionKind.Delegate, "seq-000", Token.OneToken, own.Nonce),
                "the staker's action for another chain", "seq-000");

            // --- nonces: an applied action cannot be replayed
            var delegation = await b.Action(StakeActionKind.Delegate, "seq-000", Token.FromTokens(1_000));
            await Applied(b, delegation);
            Assert.Equal(liquid - Token.FromTokens(1_000), (await b.View()).Balance);
            Assert.Equal(Token.FromTokens(41_000), (await chain.Sequencer("seq-000").GetPool())!.TotalStake);
            await Refused(chain, b, StakingReason.BadNonce, delegation, "the same signed action again", "seq-000");
            await Refused(chain, b, StakingReason.BadNonce, StakeAction.Create(b.Key, chain.Id, StakeActionKind.Delegate, "seq-000", Token.OneToken, delegation.Nonce + 5),
                "a nonce from the future", "seq-000");

            // --- registration
            var fresh = RandomNumberGenerator.GetBytes(Ed25519.SeedSize);
            var genesisSigner = GenesisSignerSeed(chain, "seq-001");
            await RefusedRegistration(chain, c, StakingReason.BelowMinLock, "seq-new", minLock - 1, fresh, "a self-stake one base unit below minLock");
            await RefusedRegistration(chain, c, StakingReason.BelowMinLock, "seq-new", Token.FromTokens(1_000), fresh, "a self-stake well below minLock");
            await RefusedRegistration(chain, c, StakingReason.AboveMaxLock, "seq-new", maxLock + 1, fresh, "a self-stake one base unit above maxLock");
            await RefusedRegistration(chain, c, StakingReason.AlreadyRegistered, "seq-000", minLock, fresh, "an id already registered");
            await RefusedRegistration(chain, c, StakingReason.SignerKeyReused, "seq-new", minLock, genesisSigner, "another sequencer's signer key");
            await RefusedRegistration(chain, c, StakingReason.InsufficientBalance, "seq-new", liquid + 1, fresh, "a self-stake above the L1 balance");
            using (var signer = SigningKey.FromSeed(fresh))
            {
                var mismatched = await c.Action(StakeActionKind.RegisterSequencer, "seq-new", minLock, signer.PublicKey);
                await RefusedWithSeed(chain, c, StakingReason.InvalidSignerKey, mismatched, RandomNumberGenerator.GetBytes(Ed25519.SeedSize), "a signer seed that is not the signed key's", "seq-new");
                await RefusedWithSeed(chain, c, StakingReason.InvalidSignerKey, mismatched, null, "no signer seed", "seq-new");
            }
            Assert.Equal("Unregistered", (await chain.Sequencer("seq-new").GetView()).Status);
            // The refusals reserved neither the id nor the key: both register now.
            await Applied(c, await c.Register("seq-new", minLock, fresh), fresh);
            Assert.Equal(liquid - minLock, (await c.View()).Balance);

            // --- unlocks
            await Refused(chain, b, StakingReason.UnlockExceedsLocked, await b.Action(StakeActionKind.Unlock, "seq-000", Token.FromTokens(1_000) + 1),
                "one base unit more than the position", "seq-000");
            await Refused(chain, b, StakingReason.UnlockExceedsLocked, await b.Action(StakeActionKind.Unlock, "seq-002", Token.OneToken),
                "a pool the staker has no stake in", "seq-002");
            await Refused(chain, b, StakingReason.ZeroAmount, await b.Action(StakeActionKind.Unlock, "seq-000", 0), "nothing", "seq-000");
            await Refused(chain, a, StakingReason.UnlockExceedsLocked, await a.Action(StakeActionKind.Unlock, "seq-000", Token.FromTokens(40_000) + 1),
                "more than the owner's self-stake", "seq-000");
            await Refused(chain, a, StakingReason.SelfStakeBelowMinLock, await a.Action(StakeActionKind.Unlock, "seq-000", Token.FromTokens(40_000) - minLock + 1),
                "a partial self-unlock leaving the owner below minLock", "seq-000");
            await Applied(b, await b.Action(StakeActionKind.Unlock, "seq-000", Token.FromTokens(400)));
            await Refused(chain, b, StakingReason.ExitDelayNotPassed, await b.Action(StakeActionKind.ClaimUnlocked, "seq-000", 0), "a claim inside the exit delay", "seq-000");

            // --- nothing to claim
            await Refused(chain, c, StakingReason.NothingToClaim, await c.Action(StakeActionKind.ClaimUnlocked, "seq-000", 0), "a claim without any unlock", "seq-000");
            await Refused(chain, c, StakingReason.NothingToClaim, await c.Action(StakeActionKind.ClaimRewards, "seq-001", 0), "rewards of a pool the staker is not in", "seq-001");

            // --- maxLock over self + delegated: seq-000 holds 40,600 now
            var room = maxLock - (await chain.Sequencer("seq-000").GetPool())!.TotalStake;
            Assert.Equal(Token.FromTokens(19_400), room);
            await Refused(chain, c, StakingReason.AboveMaxLock, await c.Action(StakeActionKind.Delegate, "seq-000", room + 1), "a delegation one base unit past maxLock", "seq-000");
            await Applied(c, await c.Action(StakeActionKind.Delegate, "seq-000", room));
            Assert.Equal(maxLock, (await chain.Sequencer("seq-000").GetPool())!.TotalStake);
            await Refused(chain, b, StakingReason.AboveMaxLock, await b.Action(StakeActionKind.Delegate, "seq-000", 1), "any delegation to a full pool", "seq-000");

            // --- balance and amounts
            var balance = (await b.View()).Balance;
            await Refused(chain, b, StakingReason.InsufficientBalance, await b.Action(StakeActionKind.Delegate, "seq-003", balance + 1), "one base unit more than the L1 balance", "seq-003");
            await Refused(chain, b, StakingReason.ZeroAmount, await b.Action(StakeActionKind.Delegate, "seq-003", 0), "a delegation of nothing", "seq-003");
            await Refused(chain, b, StakingReason.UnknownSequencer, await b.Action(StakeActionKind.Delegate, "seq-none", Token.OneToken), "an unknown sequencer", "seq-none");
        }
        finally
        {
            await ChainHalt.Stop(chain, "seq-new");
        }
    }

    [Fact]
    public async Task Repeated_replayed_and_malformed_registrations_and_actions_are_refused_with_a_reason_and_change_nothing()
    {
        var chain = await TestChain.Start(fixture.Client, "stk-malformed", Steady, Stakes, accounts: 2);
        try
        {
            var a = Owner(chain, "seq-000");
            var b = Owner(chain, "seq-001");
            var minLock = Token.FromTokens(chain.Config.MinLockTokens);
            var fresh = RandomNumberGenerator.GetBytes(Ed25519.SeedSize);

            // Registering twice: the owner of seq-000 registers seq-000 again (with a new key), and replays its genesis
            // registration byte for byte (Ed25519 signatures are deterministic, so this is the very action genesis applied).
            await RefusedRegistration(chain, a, StakingReason.AlreadyRegistered, "seq-000", minLock, fresh, "the owner registering its own sequencer again");
            var genesisSeed = GenesisSignerSeed(chain, "seq-000");
            using (var genesisSigner = SigningKey.FromSeed(genesisSeed))
            {
                var replay = StakeAction.Create(a.Key, chain.Id, StakeActionKind.RegisterSequencer, "seq-000", Token.FromTokens(Stakes[0]), 0, genesisSigner.PublicKey);
                await RefusedWithSeed(chain, a, StakingReason.BadNonce, replay, genesisSeed, "the genesis registration replayed", "seq-000");
            }

            // Actions that cannot have been signed at all: refused as unsigned, not thrown.
            var own = await b.Action(StakeActionKind.Delegate, "seq-000", Token.OneToken);
            await Refused(chain, b, StakingReason.BadSignature, own with { StakerPublicKey = b.Key.PublicKey[..31] }, "a 31-byte staker key", "seq-000");
            await Refused(chain, b, StakingReason.BadSignature, own with { StakerPublicKey = [] }, "an empty staker key", "seq-000");
            await Refused(chain, b, StakingReason.BadSignature, own with { SequencerId = new string('s', 300) }, "a sequencer id too long to encode", "seq-000");
            await Refused(chain, b, StakingReason.BadSignature, own with { Signature = [] }, "no signature", "seq-000");
            var registration = await b.Register("seq-long-key", minLock, fresh);
            await RefusedWithSeed(chain, b, StakingReason.BadSignature, registration with { SignerPublicKey = new byte[300] }, fresh, "a signer key too long to encode", "seq-000");

            // Rotation's registry refuses a second registration of an id or a key even when called directly (with the
            // cluster's internal key, as a sequencer grain calls it), and a refusal reserves nothing.
            var rotation = chain.Rotation;
            using var asInternal = TestCallers.AsInternal();
            var ids = (await rotation.GetSequencerIds()).Order(StringComparer.Ordinal).ToArray();
            var epoch = (await rotation.GetStatus()).Epoch;
            using (var key = SigningKey.FromSeed(fresh))
                Assert.Equal(StakingReason.AlreadyRegistered, await rotation.RegisterSequencer(
                    new StandingUpdate("seq-001", minLock, SequencerStatus.Candidate, 0, key.PublicKey, epoch)));
            using (var reused = SigningKey.FromSeed(GenesisSignerSeed(chain, "seq-002")))
                Assert.Equal(StakingReason.SignerKeyReused, await rotation.RegisterSequencer(
                    new StandingUpdate("seq-direct", minLock, SequencerStatus.Candidate, 0, reused.PublicKey, epoch)));
            Assert.Equal(ids, (await rotation.GetSequencerIds()).Order(StringComparer.Ordinal).ToArray());

            // None of it consumed a nonce or reserved the fresh key: the staker's next action and the registration apply.
            await Applied(b, await b.Action(StakeActionKind.Delegate, "seq-000", Token.OneToken));
            await Applied(b, await b.Register("seq-new", minLock, fresh), fresh);
        }
        finally
        {
            await ChainHalt.Stop(chain, "seq-new");
        }
    }

    [Fact]
    public async Task A_sequencer_registered_with_a_fresh_signer_key_joins_the_committee_two_epochs_later()
    {
        var chain = await TestChain.Start(fixture.Client, "stk-register", Steady, Stakes, accounts: 2);
        try
        {
            var owner = Owner(chain, "seq-002");
            var seed = RandomNumberGenerator.GetBytes(Ed25519.SeedSize);
            using var signer = SigningKey.FromSeed(seed);
            var stake = Token.FromTokens(35_000);
            var before = await owner.View();

            var epochBefore = (await chain.Rotation.GetStatus()).Epoch;
            var result = await owner.Grain.Execute(await owner.Register("seq-new", stake, seed), seed);
            var epochAfter = (await chain.Rotation.GetStatus()).Epoch;
            Assert.True(result.Ok, $"registration: {result.Reason} {result.Detail}");
            Assert.Equal(stake, result.Amount);

            var after = await owner.View();
            Assert.Equal(before.Balance - stake, after.Balance);
            Assert.Equal(stake, after.Positions.Single(p => p.SequencerId == "seq-new").Value);
            var view = await chain.Sequencer("seq-new").GetView();
            Assert.Equal(nameof(SequencerStatus.Candidate), view.Status);
            Assert.Equal(owner.Address, view.Owner);
            Assert.Equal(Convert.ToHexStringLower(signer.PublicKey), view.SignerPublicKey);
            Assert.Equal(stake, view.SelfStake);
            Assert.Equal(stake, view.TotalStake);

            // The id and the key are taken for good.
            var other = Owner(chain, "seq-003");
            await RefusedRegistration(chain, other, StakingReason.AlreadyRegistered, "seq-new", stake, RandomNumberGenerator.GetBytes(Ed25519.SeedSize), "the same id again");
            await RefusedRegistration(chain, other, StakingReason.SignerKeyReused, "seq-newer", stake, seed, "the new sequencer's signer key");

            // A change made in epoch e counts for the committee from e + 2: not in epochBefore + 1, in epochAfter + 2.
            var joined = epochAfter + chain.Config.ActivationDelayEpochs;
            await Poll.Until(() => chain.Rotation.GetStatus(), s => s.Epoch >= joined, EpochWait, $"epoch {joined}");
            var seat = Assert.Single(await chain.Rotation.GetCommittee(joined), s => s.Id == "seq-new");
            Assert.Equal(35_000L, seat.Power);
            Assert.Equal(signer.PublicKey, seat.PublicKey);
            Assert.DoesNotContain(await chain.Rotation.GetCommittee(epochBefore + 1), s => s.Id == "seq-new");
            // And it serves: it attests the blocks of its epochs with its own key.
            await Poll.Until(() => chain.Sequencer("seq-new").GetView(), v => v.Attestations > 0 || v.BlocksProposed > 0, EpochWait, "seq-new to attest");
        }
        finally
        {
            await ChainHalt.Stop(chain, "seq-new");
        }
    }

    [Fact]
    public async Task Rewards_of_finalized_blocks_are_shared_pro_rata_after_the_owners_commission()
    {
        var chain = await TestChain.Start(fixture.Client, "stk-rewards", Steady, Stakes, accounts: 2);
        try
        {
            const string target = "seq-000";
            var owner = Owner(chain, target);
            var delegator = Owner(chain, "seq-001");
            var pool = chain.Sequencer(target);
            var staking = chain.Config.ToStakingParameters();
            var reward = staking.RewardPerBlock;
            var commission = StakeMath.ApplyBps(reward, staking.CommissionBps);
            Assert.Equal(reward / 10, commission); // the default 10%

            // Delegate while the chain is halted, so the reward index it starts from is known exactly.
            await ChainHalt.Halt(chain);
            var p0 = (await pool.GetPool())!;
            var supply0 = await pool.GetSupply();
            var delegated = Token.FromTokens(10_000);
            await Applied(delegator, await delegator.Action(StakeActionKind.Delegate, target, delegated));
            var p1 = (await pool.GetPool())!;
            Assert.Equal(p0.RewardIndex, p1.RewardIndex);
            var delegatorShares = p1.TotalShares - p0.TotalShares;
            Assert.Equal(delegated, delegatorShares); // one share per base unit while nothing was slashed
            // Blocks rewarded so far: the index is their per-share increments over the owner's 40,000 alone (no fees: no transactions).
            Assert.Equal(UInt128.Zero, supply0.FeesIn);
            var n0 = supply0.Minted / reward;
            Assert.Equal(supply0.Minted, n0 * reward);
            Assert.Equal(n0 * StakeMath.MulDivFloor(reward - commission, SequencerPool.IndexScale, p0.TotalShares), p1.RewardIndex);

            // Run until the target was paid for more blocks, and halt while it leads with blocks not final yet.
            await ChainHalt.Resume(chain);
            await Poll.Until(async () => (Supply: await pool.GetSupply(), Rotation: await chain.Rotation.GetStatus(), Head: await chain.Chain.GetHead()),
                x => x.Supply.Minted >= supply0.Minted + 3 * reward && x.Rotation.Current is { } term && term.LeaderId == target && x.Head.Height >= term.FirstHeight,
                EpochWait, $"{target} to be paid for 3 more blocks and to lead");
            await ChainHalt.Halt(chain);

            var head = await chain.Chain.GetHead();
            var p2 = (await pool.GetPool())!;
            var supply2 = await pool.GetSupply();
            Assert.Equal(UInt128.Zero, supply2.FeesIn);
            var n2 = supply2.Minted / reward;
            Assert.True(n2 >= n0 + 3);

            // Paid only for finalized blocks: every block it proposed up to the finalized height, none after it.
            var blocks = await Task.WhenAll(Enumerable.Range(1, (int)head.Height).Select(h => chain.Chain.GetBlock((ulong)h)));
            Assert.All(blocks, b => Assert.NotNull(b));
            var proposed = blocks.Where(b => b!.Proposer == target).ToArray();
            Assert.Equal(n2, (UInt128)proposed.Count(b => b!.Height <= head.FinalizedHeight));
            Assert.Contains(proposed, b => b!.Height > head.FinalizedHeight);

            // The pool's O(1) accounting, block by block: 10% commission, the rest raises the index over all shares.
            Assert.Equal(n2 * commission, p2.CommissionAccrued);
            Assert.Equal(n2 * reward, p2.RewardPool);
            var perBlockIndex = StakeMath.MulDivFloor(reward - commission, SequencerPool.IndexScale, p1.TotalShares);
            Assert.Equal(p1.RewardIndex + (n2 - n0) * perBlockIndex, p2.RewardIndex);

            // What each claim must pay, from the pool's numbers (the owner registered at index 0 and never claimed).
            var ownerShares = p2.OwnerShares;
            Assert.Equal(p2.TotalShares - delegatorShares, ownerShares);
            var expectedDelegator = StakeMath.MulDivFloor(delegatorShares, p2.RewardIndex - p1.RewardIndex, SequencerPool.IndexScale);
            var expectedOwner = StakeMath.MulDivFloor(ownerShares, p2.RewardIndex, SequencerPool.IndexScale) + p2.CommissionAccrued;
            // Pro rata: the delegator holds 10,000 of 50,000 shares of the stakers' 90% of each later block, less index rounding dust.
            var exactShare = StakeMath.MulDivFloor((n2 - n0) * (reward - commission), delegatorShares, p1.TotalShares);
            Assert.InRange(expectedDelegator, exactShare - (n2 - n0) * (delegatorShares / SequencerPool.IndexScale + 1), exactShare);

            var delegatorBefore = await delegator.View();
            var ownerBefore = await owner.View();
            Assert.Equal(expectedDelegator, delegatorBefore.Positions.Single(p => p.SequencerId == target).PendingRewards);
            Assert.Equal(expectedOwner, ownerBefore.Positions.Single(p => p.SequencerId == target).PendingRewards);

            var paidDelegator = await Applied(delegator, await delegator.Action(StakeActionKind.ClaimRewards, target, 0));
            var paidOwner = await Applied(owner, await owner.Action(StakeActionKind.ClaimRewards, target, 0));
            Assert.Equal(expectedDelegator, paidDelegator.Amount);
            Assert.Equal(expectedOwner, paidOwner.Amount);
            var delegatorAfter = await delegator.View();
            var ownerAfter = await owner.View();
            Assert.Equal(delegatorBefore.Balance + expectedDelegator, delegatorAfter.Balance);
            Assert.Equal(ownerBefore.Balance + expectedOwner, ownerAfter.Balance);
            Assert.Equal(expectedDelegator, delegatorAfter.RewardsClaimed);
            Assert.Equal(expectedOwner, ownerAfter.RewardsClaimed);

            // The pool keeps only the rounding dust; the commission is paid out; nothing is left to claim.
            var p3 = (await pool.GetPool())!;
            Assert.Equal(UInt128.Zero, p3.CommissionAccrued);
            Assert.Equal(p2.RewardPool - expectedDelegator - expectedOwner, p3.RewardPool);
            Assert.True(p3.RewardPool <= n2 * (p1.TotalShares / SequencerPool.IndexScale + 2), $"dust {p3.RewardPool} after {n2} blocks");
            await Refused(chain, delegator, StakingReason.NothingToClaim, await delegator.Action(StakeActionKind.ClaimRewards, target, 0), "a second claim", target);
            await Refused(chain, owner, StakingReason.NothingToClaim, await owner.Action(StakeActionKind.ClaimRewards, target, 0), "a second claim", target);
        }
        finally
        {
            await ChainHalt.Stop(chain);
        }
    }

    [Fact]
    public async Task Unlocked_stake_is_claimable_after_the_exit_delay_and_restores_the_balance_exactly()
    {
        var chain = await TestChain.Start(fixture.Client, "stk-unlock", Steady, Stakes, accounts: 2);
        try
        {
            const string target = "seq-002";
            const string leaving = "seq-000";
            var delegator = Owner(chain, "seq-001");
            var exiting = Owner(chain, leaving);
            var delay = chain.Config.ExitDelayEpochs;
            var amount = Token.FromTokens(12_345) + 678;
            var start = await delegator.View();
            var pool0 = (await chain.Sequencer(target).GetPool())!;

            await Applied(delegator, await delegator.Action(StakeActionKind.Delegate, target, amount));
            Assert.Equal(amount, (await delegator.View()).Positions.Single(p => p.SequencerId == target).Value);
            Assert.Equal(pool0.TotalStake + amount, (await chain.Sequencer(target).GetPool())!.TotalStake);
            await Refused(chain, delegator, StakingReason.UnlockExceedsLocked, await delegator.Action(StakeActionKind.Unlock, target, amount + 1), "more than delegated", target);

            // The delegator unlocks everything; the owner of the leading sequencer leaves while its last blocks are not final.
            await Poll.Until(async () => (Rotation: await chain.Rotation.GetStatus(), Head: await chain.Chain.GetHead()),
                x => x.Rotation.Current is { } term && term.LeaderId == leaving && x.Head.Height >= term.FirstHeight, EpochWait, $"{leaving} to lead");
            var epochBefore = (await chain.Rotation.GetStatus()).Epoch;
            await Applied(delegator, await delegator.Action(StakeActionKind.Unlock, target, amount));
            await Applied(exiting, await exiting.Action(StakeActionKind.Unlock, leaving, Token.FromTokens(40_000)));
            var epochAfter = (await chain.Rotation.GetStatus()).Epoch;
            Assert.Equal(nameof(SequencerStatus.Exiting), (await chain.Sequencer(leaving).GetView()).Status);

            var unlock = Assert.Single((await delegator.View()).PendingUnlocks);
            Assert.Equal(target, unlock.SequencerId);
            Assert.Equal(amount, unlock.Amount);
            Assert.InRange(unlock.ClaimableFromEpoch, epochBefore + delay, epochAfter + delay);
            Assert.All((await delegator.View()).Positions.Where(p => p.SequencerId == target), p => Assert.Equal(UInt128.Zero, p.Value));
            Assert.Equal(start.Balance - amount, (await delegator.View()).Balance);
            var pool1 = (await chain.Sequencer(target).GetPool())!;
            Assert.Equal(pool0.TotalStake, pool1.TotalStake);
            Assert.Equal(pool0.TotalShares, pool1.TotalShares);
            var bucket = Assert.Single(pool1.Unbonding);
            Assert.Equal((unlock.ClaimableFromEpoch, amount), (bucket.ClaimableFromEpoch, bucket.Stake));
            var exitUnlock = Assert.Single((await exiting.View()).PendingUnlocks);
            Assert.Equal(Token.FromTokens(40_000), exitUnlock.Amount);

            await Refused(chain, delegator, StakingReason.ExitDelayNotPassed, await delegator.Action(StakeActionKind.ClaimUnlocked, target, 0), "a claim inside the exit delay", target);
            await Refused(chain, exiting, StakingReason.ExitDelayNotPassed, await exiting.Action(StakeActionKind.ClaimUnlocked, leaving, 0), "a claim inside the exit delay", leaving);
            // Whatever it earned so far is claimable at once (rewards are not principal).
            var earned = (await exiting.View()).Positions.SingleOrDefault(p => p.SequencerId == leaving)?.PendingRewards ?? 0;
            var ownerClaimed = earned > 0 ? (await Applied(exiting, await exiting.Action(StakeActionKind.ClaimRewards, leaving, 0))).Amount : UInt128.Zero;
            Assert.True(ownerClaimed >= earned);

            var claimable = Math.Max(unlock.ClaimableFromEpoch, exitUnlock.ClaimableFromEpoch);
            await Poll.Until(() => chain.Rotation.GetStatus(), s => s.Epoch >= claimable, EpochWait, $"epoch {claimable}");
            var claim = await Applied(delegator, await delegator.Action(StakeActionKind.ClaimUnlocked, target, 0));
            Assert.Equal(amount, claim.Amount);
            var end = await delegator.View();
            Assert.Equal(start.Balance, end.Balance);
            Assert.Empty(end.PendingUnlocks);
            Assert.Empty((await chain.Sequencer(target).GetPool())!.Unbonding);
            await Refused(chain, delegator, StakingReason.NothingToClaim, await delegator.Action(StakeActionKind.ClaimUnlocked, target, 0), "a second claim", target);

            // The owner gets its whole self-stake back, and its sequencer left the committee.
            Assert.Equal(Token.FromTokens(40_000), (await Applied(exiting, await exiting.Action(StakeActionKind.ClaimUnlocked, leaving, 0))).Amount);
            Assert.DoesNotContain(await chain.Rotation.GetCommittee(epochAfter + 1), s => s.Id == leaving);

            // Its blocks of the epoch it left in were final only later; with no shares left, their whole reward is the
            // owner's commission (docs/STAKING.md, choice 7), and the owner can still claim it.
            var lastLed = epochAfter * chain.Config.EpochLength;
            await Poll.Until(() => chain.Chain.GetHead(), h => h.FinalizedHeight >= lastLed, EpochWait, $"height {lastLed} to be final");
            var exitedPool = (await chain.Sequencer(leaving).GetPool())!;
            Assert.Equal(UInt128.Zero, exitedPool.TotalShares);
            Assert.True(exitedPool.CommissionAccrued > 0, "the leaving sequencer's last blocks paid commission");
            var balanceBefore = (await exiting.View()).Balance;
            var late = await Applied(exiting, await exiting.Action(StakeActionKind.ClaimRewards, leaving, 0));
            Assert.Equal(exitedPool.CommissionAccrued, late.Amount);
            var exitedView = await exiting.View();
            Assert.Equal(balanceBefore + exitedPool.CommissionAccrued, exitedView.Balance);
            Assert.Equal(Token.FromTokens(chain.Genesis.OwnerL1Tokens + 40_000) + ownerClaimed + late.Amount, exitedView.Balance);
        }
        finally
        {
            await ChainHalt.Stop(chain);
        }
    }

    [Fact]
    public async Task A_slash_cuts_every_position_and_pending_unlock_of_the_pool_by_the_slash_fraction()
    {
        // An exit delay of 6 epochs keeps the pending unlock at stake until the offender has led and been challenged.
        var chain = await TestChain.Start(fixture.Client, "stk-slash", c => { Steady(c); c.ExitDelayEpochs = 6; }, Stakes, accounts: 2);
        try
        {
            const string target = "seq-003"; // self-stake 20,000
            var owner = Owner(chain, target);
            var b = Owner(chain, "seq-001");
            var c = Owner(chain, "seq-002");
            var sequencer = chain.Sequencer(target);
            // The slash comes the only way it can (a slash needs its evidence): the offender commits a block with a wrong
            // state root while it leads, the validators challenge it, the chain rolls back and slashes. Its term first.
            await Poll.Until(() => chain.Rotation.GetCurrent(), t => t?.LeaderId == target, EpochWait, $"{target} to lead");
            await Applied(b, await b.Action(StakeActionKind.Delegate, target, Token.FromTokens(7_000)));
            await Applied(c, await c.Action(StakeActionKind.Delegate, target, Token.FromTokens(3_333) + 7));
            await Applied(c, await c.Action(StakeActionKind.Unlock, target, Token.FromTokens(1_000)));

            var before = (await sequencer.GetPool())!;
            Assert.Equal(before.TotalStake, before.TotalShares); // no slash yet: one share per base unit, so value = shares
            var stakers = new[] { owner, b, c };
            var valuesBefore = new List<UInt128>();
            foreach (var s in stakers) valuesBefore.Add((await s.View()).Positions.Single(p => p.SequencerId == target).Value);
            Assert.Equal(before.TotalStake, valuesBefore.Aggregate(UInt128.Zero, (x, y) => x + y));
            var unlockBefore = Assert.Single((await c.View()).PendingUnlocks);
            var epoch = (await chain.Rotation.GetStatus()).Epoch;
            var bucketBefore = Assert.Single(before.Unbonding);
            Assert.True(bucketBefore.ClaimableFromEpoch > epoch, "the pending unlock is still at stake");

            var bps = chain.Config.InvalidRootSlashBps;
            using (TestCallers.AsOperator()) await sequencer.InjectFault(new SequencerFault(SequencerFaultKind.WrongStateRoot));
            var bait = chain.Transfer(0, 1, 1_000);
            Assert.All(await chain.Submit(bait), r => Assert.Equal(ActorRollup.Core.Transactions.AdmissionReason.Ok, r.Reason));
            var after = (await Poll.Until(() => sequencer.GetPool(), p => p!.Status == SequencerStatus.Jailed, EpochWait, $"{target} slashed"))!;
            // The rolled-back transfer is re-queued and committed again by an honest leader; until it is validated the
            // state root still moves, and the refusal pictures below include the root.
            await chain.WaitForLevel(bait.Hash, TxLevel.Validated, seconds: 60);
            var rollback = Assert.Single(await chain.Chain.GetRollbacks());
            Assert.Equal(target, rollback.Offender);
            // The chain's decided slash order is the evidence: the agreeing validators are the reporters, paid what it names.
            var order = (await chain.Chain.GetSlashOrder(rollback.ChallengeId))!;
            Assert.True(order.Decided);
            Assert.Equal(target, order.Offender);
            Assert.True(order.Epoch >= epoch);
            Assert.NotEmpty(order.Rewarded);

            var bondedCut = StakeMath.ApplyBps(before.TotalStake, bps);
            var bucketCut = StakeMath.ApplyBps(bucketBefore.Stake, bps);
            Assert.Equal(before.TotalStake - bondedCut, after.TotalStake);
            Assert.Equal(before.TotalShares, after.TotalShares);
            Assert.Equal(bucketBefore.Stake - bucketCut, Assert.Single(after.Unbonding).Stake);
            var slashed = bondedCut + bucketCut;
            Assert.Equal(slashed, (await sequencer.GetView()).Slashed);
            // Half to the distinct reporters (shared equally, rounded down), the rest burned.
            var paid = (UInt128)(ulong)order.Rewarded.Length;
            Assert.Equal(StakeMath.ApplyBps(slashed, chain.Config.ReporterShareBps) / paid, order.PerReporter);
            var supply = await sequencer.GetSupply();
            Assert.Equal((slashed - order.PerReporter * paid, order.PerReporter * paid), (supply.Burned, supply.PaidToReporters));
            // Invalid state root: jailed for 10 epochs from the one after the offence.
            Assert.Equal(SequencerStatus.Jailed, after.Status);
            Assert.Equal(order.Epoch + 1 + chain.Config.InvalidRootJailEpochs, after.JailedUntilEpoch);

            // Every position keeps its shares and loses the same fraction through the share price: value = floor(shares × K' / S).
            for (int i = 0; i < stakers.Length; i++)
            {
                var value = (await stakers[i].View()).Positions.Single(p => p.SequencerId == target).Value;
                Assert.Equal(StakeMath.MulDivFloor(valuesBefore[i], after.TotalStake, after.TotalShares), value);
                var loss = valuesBefore[i] - value;
                var exact = (System.Numerics.BigInteger)valuesBefore[i] * bps; // loss × 10000 should be this, to rounding
                var error = System.Numerics.BigInteger.Abs((System.Numerics.BigInteger)loss * 10_000 - exact);
                Assert.True(error < 2 * 10_000, $"position {i}: lost {loss} of {valuesBefore[i]} (expected {bps} bps)");
            }
            // The pending unlock lost the same fraction, and the view says so.
            var unlockAfter = Assert.Single((await c.View()).PendingUnlocks);
            Assert.Equal(unlockBefore.Amount - bucketCut, unlockAfter.Amount);

            // The same evidence cannot slash twice; a jailed pool takes no stake; nothing changes on either refusal.
            SlashResult again;
            using (TestCallers.AsInternal()) again = await sequencer.Slash(SlashKind.InvalidStateRoot, order.Reporters, order.Epoch, order.EvidenceId);
            Assert.False(again.IsOk);
            Assert.Equal(Describe(target, after), Describe(target, await sequencer.GetPool()));
            await Refused(chain, b, StakingReason.SequencerNotAcceptingStake, await b.Action(StakeActionKind.Delegate, target, Token.OneToken), "a delegation to a jailed pool", target);

            // Jailed: out of the committee (the next committee is chosen after the slash reached rotation at the latest).
            await Poll.Until(() => chain.Rotation.GetStatus(), s => s.Epoch >= unlockAfter.ClaimableFromEpoch && s.Epoch >= order.Epoch + 2, EpochWait,
                $"epoch {Math.Max(unlockAfter.ClaimableFromEpoch, order.Epoch + 2)}");
            Assert.DoesNotContain(await chain.Rotation.GetCommittee(order.Epoch + 2), s => s.Id == target);
            var audit = await chain.Chain.AuditSupply();
            Assert.True(audit.Conserved, $"supply: {audit}");
            // The claim pays the unlock's value at claim time: the amount unlocked less the slash.
            var balance = (await c.View()).Balance;
            var claim = await Applied(c, await c.Action(StakeActionKind.ClaimUnlocked, target, 0));
            Assert.Equal(unlockAfter.Amount, claim.Amount);
            Assert.Equal(balance + unlockAfter.Amount, (await c.View()).Balance);
        }
        finally
        {
            await ChainHalt.Stop(chain);
        }
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>A staker that signs its own actions with its current nonce.</summary>
    private sealed class Staker(TestChain chain, SigningKey key)
    {
        public SigningKey Key => key;
        public Address Address => key.Address;
        public IStakerGrain Grain => chain.Client.Staker(chain.Id, key.Address);
        public Task<StakerView> View() => Grain.GetView();

        public async Task<StakeAction> Action(StakeActionKind kind, string sequencerId, UInt128 amount, byte[]? signerPublicKey = null) =>
            StakeAction.Create(key, chain.Id, kind, sequencerId, amount, (await View()).Nonce, signerPublicKey);

        public async Task<StakeAction> Register(string sequencerId, UInt128 amount, byte[] signerSeed)
        {
            using var signer = SigningKey.FromSeed(signerSeed);
            return await Action(StakeActionKind.RegisterSequencer, sequencerId, amount, signer.PublicKey);
        }
    }

    /// <summary>A genesis sequencer's owner: funded at genesis with its self-stake plus <c>OwnerL1Tokens</c>.</summary>
    private static Staker Owner(TestChain chain, string sequencerId) => new(chain, GenesisKeys.SequencerOwner(chain.NodeKeySeed, chain.Id, sequencerId));

    private static byte[] GenesisSignerSeed(TestChain chain, string sequencerId) => GenesisKeys.SequencerSignerSeed(chain.NodeKeySeed, chain.Id, sequencerId);

    private static async Task<StakeResult> Applied(Staker staker, StakeAction action, byte[]? signerSeed = null)
    {
        var result = await staker.Grain.Execute(action, signerSeed);
        Assert.True(result.Ok, $"{action.Kind} {action.SequencerId} {action.Amount}: {result.Reason} {result.Detail}");
        return result;
    }

    private static Task Refused(TestChain chain, Staker staker, StakingReason expected, StakeAction action, string what, params string[] pools) =>
        RefusedWithSeed(chain, staker, expected, action, null, what, pools);

    /// <summary>Executes the action on <paramref name="staker"/>'s grain and checks the reason, and that neither the staker nor the pools changed.</summary>
    private static async Task RefusedWithSeed(TestChain chain, Staker staker, StakingReason expected, StakeAction action, byte[]? signerSeed, string what, params string[] pools)
    {
        var before = await Snapshot(chain, staker, pools);
        var result = await staker.Grain.Execute(action, signerSeed);
        Assert.True(result.Reason == expected, $"{what}: expected {expected}, got {result.Reason} ({result.Detail})");
        Assert.Equal(UInt128.Zero, result.Amount);
        var after = await Snapshot(chain, staker, pools);
        Assert.True(before == after, $"{what}: the refusal changed something:\n before {before}\n after  {after}");
    }

    private static async Task RefusedRegistration(TestChain chain, Staker staker, StakingReason expected, string sequencerId, UInt128 amount, byte[] signerSeed, string what) =>
        await RefusedWithSeed(chain, staker, expected, await staker.Register(sequencerId, amount, signerSeed), signerSeed, what, sequencerId, "seq-000");

    /// <summary>
    /// What a staking refusal must leave alone: the L2 state root, rotation's sequencer registry, the staker's balance, nonce,
    /// positions (their value) and pending unlocks, and each pool's stake, shares, status and unbonding. Reward figures are left out: finalized blocks keep crediting them meanwhile.
    /// </summary>
    private static async Task<string> Snapshot(TestChain chain, Staker staker, string[] pools)
    {
        var v = await staker.View();
        // Staking is L1: the L2 state root (no transfers in these tests) and rotation's registry must not move either.
        var root = (await chain.Chain.GetHead()).StateRoot;
        var registered = (await chain.Rotation.GetSequencerIds()).Order(StringComparer.Ordinal);
        var sb = new StringBuilder($"root {root.ToHex()[..16]}, sequencers [{string.Join(" ", registered)}]; ");
        sb.Append($"balance {v.Balance}, nonce {v.Nonce}, claimed {v.RewardsClaimed}");
        foreach (var p in v.Positions.OrderBy(p => p.SequencerId, StringComparer.Ordinal)) sb.Append($"; position {p.SequencerId} {p.Value}");
        foreach (var u in v.PendingUnlocks) sb.Append($"; unlock {u.SequencerId} {u.Amount} from epoch {u.ClaimableFromEpoch}");
        foreach (var id in pools) sb.Append("; ").Append(Describe(id, await chain.Sequencer(id).GetPool()));
        return sb.ToString();
    }

    private static string Describe(string id, SequencerPool? pool) => pool is null
        ? $"{id} unregistered"
        : $"{id} {pool.Status} stake {pool.TotalStake} shares {pool.TotalShares} owner shares {pool.OwnerShares} jailed until {pool.JailedUntilEpoch} " +
          $"unbonding [{string.Join(", ", pool.Unbonding.Select(u => $"{u.ClaimableFromEpoch}: {u.Stake}/{u.Shares}"))}]";
}

/// <summary>
/// Stops a test chain's block production by taking every sequencer offline: the leader cannot gather a quorum, reports
/// it, and the chain halts visibly (PROTOCOL.md §6) — no failover, no slash, no finality, no reward.
/// </summary>
internal static class ChainHalt
{
    public static async Task Halt(TestChain chain, params string[] moreSequencers)
    {
        await SetFault(chain, SequencerFaultKind.Offline, moreSequencers);
        while (true)
        {
            await Poll.Until(() => chain.Rotation.GetStatus(), s => s.Halted, TimeSpan.FromSeconds(30), $"{chain.Id} to halt");
            var first = await Barrier(chain);
            await Poll.Until(() => chain.Rotation.GetStatus(), s => s.Halted, TimeSpan.FromSeconds(30), $"{chain.Id} to stay halted");
            var second = await Barrier(chain);
            if (first.Height == second.Height && first.FinalizedHeight == second.FinalizedHeight) return;
        }
    }

    /// <summary>Takes the sequencers back online and waits for the next block.</summary>
    public static async Task Resume(TestChain chain, params string[] moreSequencers)
    {
        var height = (await chain.Chain.GetHead()).Height;
        await SetFault(chain, SequencerFaultKind.None, moreSequencers);
        await chain.WaitForHeight(height + 1);
    }

    /// <summary>Best-effort clean-up at the end of a test, so finished chains stop loading the shared cluster.</summary>
    public static async Task Stop(TestChain chain, params string[] moreSequencers)
    {
        try
        {
            await SetFault(chain, SequencerFaultKind.Offline, moreSequencers);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException or Abstractions.Security.CallRefusedException)
        {
            // A clean-up failure (or a listed sequencer that never registered) must not hide the test's own outcome.
        }
    }

    private static Task SetFault(TestChain chain, SequencerFaultKind kind, string[] moreSequencers) =>
        Task.WhenAll(chain.Genesis.Sequencers.Select(s => s.Id).Concat(moreSequencers)
            .Select(id => chain.Sequencer(id).InjectFault(new SequencerFault(kind, Once: false))));

    /// <summary>
    /// The chain grain is not reentrant and <c>Bootstrap</c> does not interleave: its refusal runs only after an append
    /// still in flight has finished, finality and reward credits included.
    /// </summary>
    private static async Task<ChainHead> Barrier(TestChain chain)
    {
        var refused = await chain.Chain.Bootstrap(chain.Genesis);
        Assert.Equal(ChainReason.AlreadyBootstrapped, refused.Reason);
        return await chain.Chain.GetHead();
    }
}
