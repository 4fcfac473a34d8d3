using System.Security.Cryptography;
using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Staking;

namespace ActorRollup.IntegrationTests;

/// <summary>
/// Defence in depth on the paths that move money (issue 10, docs/SECURITY.md): a client that forges its caller id and
/// calls the internal staking, reward, slash, credit and settlement methods directly, with arguments the protocol has a
/// better source for, changes nothing — no stake, share, reward, balance, standing or finality moves — and supply stays
/// conserved. Each forged call is made as the cluster's own grains make it (<see cref="TestCallers.AsInternal"/>).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class MoneyBoundaryTests(ClusterFixture fixture)
{
    private static readonly ulong[] Stakes = [40_000, 30_000, 25_000, 20_000];

    private static void Steady(ChainConfig config) => config.LeaderTimeoutMs = 5_000;

    [Fact]
    public async Task A_slash_without_its_evidence_changes_nothing()
    {
        var chain = await TestChain.Start(fixture.Client, "money-slash", Steady, Stakes, accounts: 2);
        try
        {
            await chain.WaitForHeight(3);
            await ChainHalt.Halt(chain);
            var before = await Picture(chain);
            var term = (await chain.Rotation.GetCurrent())!;
            var attacker = SigningKey.FromSeed(RandomNumberGenerator.GetBytes(Ed25519.SeedSize)).Address;
            using (TestCallers.AsInternal())
            {
                foreach (var s in chain.Genesis.Sequencers)
                {
                    var sequencer = chain.Sequencer(s.Id);
                    var forged = new (SlashKind Kind, Address[] Reporters, ulong Epoch, string Evidence)[]
                    {
                        (SlashKind.InvalidStateRoot, [attacker], term.Epoch, "forged-evidence"),
                        (SlashKind.InvalidStateRoot, [attacker], term.Epoch, $"{chain.Id}/challenge-1"),
                        (SlashKind.Equivocation, [attacker], term.Epoch, $"equivocation-{term.FirstHeight}-{term.Term}"),
                        (SlashKind.Downtime, [], term.Epoch, "downtime-term-999999"),
                        (SlashKind.Downtime, [], term.Epoch + 7, $"downtime-term-{term.Term}"),
                        (SlashKind.Downtime, [attacker], term.Epoch, $"downtime-term-{term.Term}"),
                        (SlashKind.Equivocation, [attacker], term.Epoch, new string('x', 100_000)),
                    };
                    foreach (var (kind, reporters, epoch, evidence) in forged)
                    {
                        var result = await sequencer.Slash(kind, reporters, epoch, evidence);
                        Assert.False(result.IsOk, $"{s.Id}: a {kind} slash with evidence '{evidence[..Math.Min(40, evidence.Length)]}' was applied");
                    }
                }
            }
            Assert.Equal(before, await Picture(chain));
        }
        finally
        {
            await ChainHalt.Stop(chain);
        }
    }

    [Fact]
    public async Task A_forged_block_reward_mints_nothing_and_real_rewards_still_arrive()
    {
        var chain = await TestChain.Start(fixture.Client, "money-reward", Steady, Stakes, accounts: 2);
        try
        {
            var final = await Poll.Until(() => chain.Chain.GetHead(), h => h.FinalizedHeight >= 2, TimeSpan.FromSeconds(30), "a finalized block");
            await ChainHalt.Halt(chain);
            var head = await chain.Chain.GetHead();
            var finalBlock = (await chain.Chain.GetBlock(head.FinalizedHeight))!;
            var unfinal = head.Height > head.FinalizedHeight ? await chain.Chain.GetBlock(head.Height) : null;
            var before = await Picture(chain);
            using (TestCallers.AsInternal())
            {
                foreach (var s in chain.Genesis.Sequencers)
                {
                    var sequencer = chain.Sequencer(s.Id);
                    await sequencer.CreditBlockReward(head.Height + 1_000, Token.FromTokens(1_000_000)); // a height that does not exist
                    await sequencer.CreditBlockReward(head.FinalizedHeight, finalBlock.Fees + Token.FromTokens(5)); // more fees than the block's
                    if (s.Id != finalBlock.Proposer) await sequencer.CreditBlockReward(head.FinalizedHeight, finalBlock.Fees); // another's block
                    if (unfinal is not null && s.Id == unfinal.Proposer) await sequencer.CreditBlockReward(unfinal.Height, unfinal.Fees); // not final
                }
            }
            Assert.Equal(before, await Picture(chain));

            // A forged far height never stopped the real rewards (they are credited in height order).
            var proposer = chain.Sequencer(finalBlock.Proposer);
            var minted = (await proposer.GetSupply()).Minted;
            await ChainHalt.Resume(chain);
            await Poll.Until(() => proposer.GetSupply(), s => s.Minted > minted, TimeSpan.FromSeconds(60), $"a reward for {finalBlock.Proposer}");
            await AssertConserved(chain);
        }
        finally
        {
            await ChainHalt.Stop(chain);
        }
    }

    [Fact]
    public async Task Pool_operations_no_staker_asked_for_mint_no_share_and_pay_nothing()
    {
        var chain = await TestChain.Start(fixture.Client, "money-pool", Steady, Stakes, accounts: 2);
        try
        {
            await chain.WaitForHeight(3);
            await ChainHalt.Halt(chain);
            var epoch = (await chain.Rotation.GetStatus()).Epoch;
            var attacker = SigningKey.FromSeed(RandomNumberGenerator.GetBytes(Ed25519.SeedSize)).Address;
            var before = await Picture(chain);
            using (TestCallers.AsInternal())
            {
                foreach (var s in chain.Genesis.Sequencers)
                {
                    var sequencer = chain.Sequencer(s.Id);
                    var pool = (await sequencer.GetPool())!;
                    var victim = pool.Owner;
                    var receipts = new List<(string What, PoolReceipt Receipt)>
                    {
                        ("a deposit nobody paid for", await sequencer.Deposit($"{attacker}/0", attacker, Token.FromTokens(5_000), epoch)),
                        ("a deposit in the owner's name", await sequencer.Deposit($"{victim}/900", victim, Token.FromTokens(5_000), epoch)),
                        ("a deposit with an id that names no staker", await sequencer.Deposit("not-an-operation", attacker, Token.OneToken, epoch)),
                        ("an unlock of the owner's stake", await sequencer.Withdraw($"{victim}/901", victim, pool.OwnerShares, Token.FromTokens(1_000), epoch)),
                        ("a reward claim for a made-up position", await sequencer.PayReward($"{attacker}/1", attacker, new StakePosition(pool.TotalShares, 0, Token.FromTokens(10)))),
                        ("a claim of unbonding stake", await sequencer.ClaimUnbonding($"{attacker}/2/0", epoch, Token.FromTokens(1), epoch + 100)),
                    };
                    foreach (var (what, receipt) in receipts) Assert.False(receipt.Ok, $"{s.Id}: {what} was applied: {receipt}");
                }
            }
            Assert.Equal(before, await Picture(chain));
        }
        finally
        {
            await ChainHalt.Stop(chain);
        }
    }

    [Fact]
    public async Task A_release_for_an_epoch_the_chain_has_not_reached_does_not_end_a_jail()
    {
        // A crashed leader is failed over and slashed for downtime (the honest path of the downtime evidence): jailed.
        var chain = await TestChain.Start(fixture.Client, "money-release", c => c.DowntimeJailEpochs = 50, Stakes, accounts: 2);
        string? crashed = null;
        try
        {
            await chain.WaitForHeight(3);
            var term = (await chain.Rotation.GetCurrent())!;
            crashed = term.LeaderId;
            var offender = chain.Sequencer(crashed);
            using (TestCallers.AsOperator()) await offender.InjectFault(new SequencerFault(SequencerFaultKind.Crash, Once: false));
            var jailed = await Poll.Until(() => offender.GetPool(), p => p!.Status == SequencerStatus.Jailed, TimeSpan.FromSeconds(30), $"{crashed} jailed for downtime");
            Assert.True(jailed!.JailedUntilEpoch > term.Epoch + 2);

            using (TestCallers.AsInternal())
            {
                await offender.ReleaseIfDue(jailed.JailedUntilEpoch);
                await offender.ReleaseIfDue(ulong.MaxValue);
            }
            var after = (await offender.GetPool())!;
            Assert.Equal(SequencerStatus.Jailed, after.Status);
            Assert.Equal(jailed.JailedUntilEpoch, after.JailedUntilEpoch);
            await AssertConserved(chain);
        }
        finally
        {
            if (crashed is not null)
                using (TestCallers.AsOperator())
                    await chain.Sequencer(crashed).InjectFault(new SequencerFault(SequencerFaultKind.None));
            await ChainHalt.Stop(chain);
        }
    }

    [Fact]
    public async Task A_reporter_credit_without_a_decided_slash_and_funding_outside_bootstrap_mint_no_L1_tokens()
    {
        var chain = await TestChain.Start(fixture.Client, "money-credit", Steady, Stakes, accounts: 2);
        try
        {
            await chain.WaitForHeight(3);
            await ChainHalt.Halt(chain);
            var before = await Picture(chain);
            var owner = GenesisKeys.SequencerOwner(chain.NodeKeySeed, chain.Id, "seq-000").Address;
            var stranger = SigningKey.FromSeed(RandomNumberGenerator.GetBytes(Ed25519.SeedSize)).Address;
            var funding = Token.FromTokens(Stakes[0] + chain.Genesis.OwnerL1Tokens);
            using (TestCallers.AsInternal())
            {
                foreach (var address in new[] { owner, stranger })
                {
                    var staker = chain.Client.Staker(chain.Id, address);
                    await Refused(() => staker.CreditReward(Token.FromTokens(1_000), "a reward I made up"));
                    await Refused(() => staker.CreditReward(Token.FromTokens(1_000), $"{chain.Id}/challenge-1"));
                    // After bootstrap: refused (a stranger) or ignored (an owner already funded); either way nothing changes.
                    await Record.ExceptionAsync(() => staker.Fund(chain.Config, funding));
                }
            }
            Assert.Equal(before, await Picture(chain));
            Assert.Equal(UInt128.Zero, (await chain.Client.Staker(chain.Id, stranger).GetView()).Balance);

            // A chain id that was never bootstrapped: no staker of it is funded, and its settlement is not set up.
            var nowhere = TestChain.FastConfig("money-nowhere");
            using (TestCallers.AsInternal())
            {
                await Refused(() => chain.Client.Staker(nowhere.ChainId, stranger).Fund(nowhere, funding));
                await Refused(() => chain.Client.Settlement(nowhere.ChainId).Initialize(nowhere));
            }
            Assert.Equal(UInt128.Zero, (await chain.Client.Staker(nowhere.ChainId, stranger).GetView()).Balance);
            var batch = new BatchHeader(nowhere.ChainId, 1, 1, (ulong)nowhere.BatchSize, 1, default, default);
            using (TestCallers.AsInternal())
                Assert.Equal(SettlementReason.NotInitialized, await chain.Client.Settlement(nowhere.ChainId).PostBatch(batch, [], []));
        }
        finally
        {
            await ChainHalt.Stop(chain);
        }
    }

    [Fact]
    public async Task Settlement_finalizes_only_up_to_the_chains_head_whatever_height_the_caller_names()
    {
        var chain = await TestChain.Start(fixture.Client, "money-settle", c => { Steady(c); c.ChallengeWindow = 200; }, Stakes, accounts: 2);
        try
        {
            await Poll.Until(() => chain.Settlement.GetView(), v => v.PostedHeight >= 10, TimeSpan.FromSeconds(30), "two posted batches");
            await ChainHalt.Halt(chain);
            var head = await chain.Chain.GetHead();
            var before = await chain.Settlement.GetView();
            Assert.Equal(0UL, before.FinalizedHeight); // a 200-block window: nothing is final yet
            using (TestCallers.AsInternal())
            {
                Assert.Equal(0UL, await chain.Settlement.OnHead(ulong.MaxValue, 0));
                Assert.Equal(0UL, await chain.Settlement.OnHead(head.Height + 10_000, long.MaxValue));
            }
            var after = await chain.Settlement.GetView();
            Assert.Equal(before.FinalizedHeight, after.FinalizedHeight);
            Assert.Equal(before.BatchesFinal, after.BatchesFinal);
            Assert.All(after.Recent, b => Assert.False(b.Final));
            Assert.Equal(0UL, (await chain.Chain.GetHead()).FinalizedHeight);
            await AssertConserved(chain);
        }
        finally
        {
            await ChainHalt.Stop(chain);
        }
    }

    [Fact]
    public async Task Forged_or_malformed_equivocation_evidence_and_challenges_slash_nothing_and_pay_no_one()
    {
        var chain = await TestChain.Start(fixture.Client, "money-evidence", Steady, Stakes, accounts: 2);
        try
        {
            await chain.WaitForHeight(3);
            await ChainHalt.Halt(chain);
            var head = await chain.Chain.GetHead();
            var block = (await chain.Chain.GetCommittedBlock(head.Height))!.Block;
            var h = block.Header;
            var before = await Picture(chain);
            var validatorsBefore = await Validators(chain);

            // A second header for the same slot, signed with a key that is not the proposer's: forged.
            using var wrongKey = SigningKey.FromSeed(RandomNumberGenerator.GetBytes(Ed25519.SeedSize));
            var other = new BlockHeader(h.ChainId, h.Height, h.Epoch, h.Term, h.ParentHash, h.TxRoot, h.StateRoot, h.TimestampMs + 1, h.ProposerId, h.FeeRecipient);
            var forged = new EquivocationEvidence(block.Signed, new SignedHeader(other, Signing.SignProposal(wrongKey, other.Hash)));
            var far = new BlockHeader(h.ChainId, h.Height, 1_000_000, h.Term, h.ParentHash, h.TxRoot, h.StateRoot, h.TimestampMs, h.ProposerId, h.FeeRecipient);
            var farEpoch = new EquivocationEvidence(new SignedHeader(far, block.Signed.ProposerSignature), new SignedHeader(far, block.Signed.ProposerSignature));
            foreach (var (what, evidence) in new[] { ("a second header not signed by the proposer", forged), ("one header twice", new EquivocationEvidence(block.Signed, block.Signed)),
                         ("a far epoch", farEpoch), ("no second header", new EquivocationEvidence(block.Signed, null!)) })
            {
                var result = await chain.Chain.ReportEquivocation(evidence, "seq-001");
                Assert.True(result.Reason is ChainReason.BadEvidence or ChainReason.WrongChain, $"{what}: {result}");
            }

            // Real evidence (the proposer's own key signs a second header: the simulation's derivable keys) reported by an id
            // that is no registered sequencer: the offender is tombstoned, but no one is paid (no L1 token appears unseen).
            using (var signer = GenesisKeys.SequencerSigner(chain.NodeKeySeed, chain.Id, h.ProposerId))
            {
                var real = new EquivocationEvidence(block.Signed, new SignedHeader(other, Signing.SignProposal(signer, other.Hash)));
                var result = await chain.Chain.ReportEquivocation(real, "no-such-sequencer");
                Assert.Equal(ChainReason.Ok, result.Reason);
                Assert.Equal(SequencerStatus.Tombstoned, (await chain.Sequencer(h.ProposerId).GetPool())!.Status);
                Assert.Equal(UInt128.Zero, (await chain.Client.Staker(chain.Id, default(Address)).GetView()).Balance);
            }
            await AssertConserved(chain);

            // Challenges with mutated or missing parts: refused before any vote, no strike, no rollback.
            var proof = new FraudProof("val-00", h.Height, h.Hash, default, default, BlockFault.StateRootMismatch, "", new byte[64]);
            var mutated = new[]
            {
                ("a zero signature", proof),
                ("a short signature", proof with { ChallengerSignature = [1, 2, 3] }),
                ("no challenger", proof with { ChallengerId = null! }),
                ("an unknown block hash", proof with { BlockHash = Hash32.Sha256([9]) }),
                ("a height past the head", proof with { Height = head.Height + 5 }),
                ("an undefined violation", proof with { Violation = (BlockFault)250 }),
            };
            foreach (var (what, p) in mutated)
            {
                var result = await chain.Chain.Challenge(p);
                Assert.False(result.Succeeded, $"{what}: {result.Reason}");
            }
            Assert.Empty(await chain.Chain.GetRollbacks());
            Assert.Equal(validatorsBefore, await Validators(chain));
            Assert.Equal(head.Hash, (await chain.Chain.GetHead()).Hash);
        }
        finally
        {
            await ChainHalt.Stop(chain);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static async Task Refused(Func<Task> call)
    {
        var e = await Record.ExceptionAsync(call);
        Assert.NotNull(e);
    }

    /// <summary>Every genesis pool, every owner's L1 view and the supply audit (asserted conserved), as one comparable string.</summary>
    private static async Task<string> Picture(TestChain chain)
    {
        var lines = new List<string>();
        foreach (var s in chain.Genesis.Sequencers)
        {
            var pool = (await chain.Sequencer(s.Id).GetPool())!;
            var supply = await chain.Sequencer(s.Id).GetSupply();
            lines.Add($"{s.Id} {pool.Status} jail {pool.JailedUntilEpoch} stake {pool.TotalStake} shares {pool.TotalShares} owner {pool.OwnerShares} " +
                      $"rewards {pool.RewardPool} index {pool.RewardIndex} unbonding {pool.UnbondingStake} minted {supply.Minted} burned {supply.Burned} paid {supply.PaidToReporters}");
            var owner = await chain.Client.Staker(chain.Id, pool.Owner).GetView();
            lines.Add($"  owner {pool.Owner} balance {owner.Balance} nonce {owner.Nonce} positions {owner.Positions.Length} unlocks {owner.PendingUnlocks.Length}");
        }
        var settlement = await chain.Settlement.GetView();
        lines.Add($"settlement posted {settlement.PostedHeight} final {settlement.FinalizedHeight} reverted {settlement.BatchesReverted}");
        var audit = await AssertConserved(chain);
        lines.Add($"audit {audit.Total} = {audit.Expected}");
        return string.Join('\n', lines);
    }

    private static async Task<string> Validators(TestChain chain)
    {
        var lines = new List<string>();
        foreach (var v in chain.Genesis.Validators)
        {
            var view = await chain.Validator(v.Id).GetView();
            lines.Add($"{v.Id} bond {view.Bond} strikes {view.Strikes} rewards {view.Rewards}");
        }
        return string.Join('\n', lines);
    }

    private static async Task<SupplyAudit> AssertConserved(TestChain chain)
    {
        var audit = await chain.Chain.AuditSupply();
        Assert.True(audit.Conserved, $"supply not conserved: {audit}");
        return audit;
    }
}
