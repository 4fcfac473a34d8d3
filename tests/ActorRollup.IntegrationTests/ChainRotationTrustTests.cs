using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Abstractions.Security;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Staking;
using ActorRollup.Core.Transactions;

namespace ActorRollup.IntegrationTests;

/// <summary>Issue 10's chain and rotation defects on the honest path, and their defence in depth against a caller
/// that reaches internal methods (forged caller id): each test failed before its fix.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ChainRotationTrustTests(ClusterFixture fixture)
{
#if PREFIX_API // builds against the code before the fixes, to show each test failing there
    private const int MaxLoadTestAccounts = 100_000;
    private const string ContradictsRecord = "contradicts-record";
#else
    private const int MaxLoadTestAccounts = ChainGenesis.MaxLoadTestAccounts;
    private const string ContradictsRecord = CallRefusal.ContradictsRecord;
#endif

    private static bool IsRotationCall(IIncomingGrainCallContext c, string chainId, string method) =>
        c.InterfaceMethod?.DeclaringType == typeof(IRotationGrain) && c.MethodName == method && c.TargetId.Key.ToString() == chainId;

    private static ChainGenesis GenesisFor(ChainConfig config) => new()
    {
        Config = config,
        Sequencers = new ulong[] { 30_000, 28_000, 26_000, 24_000, 22_000 }.Select((s, i) => new GenesisSequencer($"seq-{i:D3}", s)).ToArray(),
        Validators = Enumerable.Range(0, 4).Select(i => new GenesisValidator($"val-{i:D2}", 10_000)).ToArray(),
        LoadTestAccounts = 16,
        LoadTestAccountTokens = 1_000,
        NodeKeySeed = GenesisKeys.NodeKeySeedFromOperatorKey(TestCallers.OperatorKey, config.ChainId),
        GenesisTimeMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
    };

    private async Task<AppendResult> Bootstrap(ChainGenesis genesis)
    {
        using var _ = TestCallers.AsOperator();
        return await fixture.Client.Chain(genesis.Config.ChainId).Bootstrap(genesis);
    }

    // ------------------------------------------------------------ 1. a lost epoch-end notice

    [Fact]
    public async Task A_lost_epoch_end_notice_does_not_halt_the_chain_the_next_epoch_begins_from_the_head()
    {
        var chain = await TestChain.Start(fixture.Client, "lost-epoch-end");
        var last = chain.Config.EpochLength; // epoch 1 ends at height 20
        using (TestFaults.Drop(c => IsRotationCall(c, chain.Id, nameof(IRotationGrain.OnBlockCommitted)) && Equals(c.Request.GetArgument(0), last)))
            await chain.WaitForHeight(last + 5, seconds: 30);
        var status = await chain.Rotation.GetStatus();
        Assert.True(status.Epoch >= 2, $"epoch {status.Epoch}");
        Assert.Equal(0, status.Failovers); // no one is failed over for heights already committed
        var first = (await chain.Chain.GetBlock(last + 1))!;
        Assert.Equal(2UL, first.Epoch);
    }

    // ------------------------------------------------------------ 2. every member jailed

    [Fact]
    public async Task With_the_whole_committee_jailed_the_chain_resumes_by_itself_once_the_jail_runs_out_by_wall_clock()
    {
        var chain = await TestChain.Start(fixture.Client, "all-jailed");
        await chain.WaitForHeight(3);
        // Every member crashes: each leader in turn is failed over for downtime, slashed and jailed (a slash needs its
        // evidence, so the jails come the protocol's way), until no member is left.
        foreach (var s in chain.Genesis.Sequencers)
            await chain.Sequencer(s.Id).InjectFault(new SequencerFault(SequencerFaultKind.Crash, Once: false));
        var halted = await Poll.Until(() => chain.Rotation.GetStatus(), s => s.Halted && s.NoMembersSinceMs > 0,
            TimeSpan.FromSeconds(60), "the halt for lack of members");
        foreach (var s in chain.Genesis.Sequencers)
            await chain.Sequencer(s.Id).InjectFault(new SequencerFault(SequencerFaultKind.None));
        var jails = new List<ulong>();
        foreach (var s in chain.Genesis.Sequencers)
            if (await chain.Sequencer(s.Id).GetPool() is { Status: SequencerStatus.Jailed } p) jails.Add(p.JailedUntilEpoch);
        var haltedAt = DateTime.UtcNow;
        var stuck = (await chain.Chain.GetHead()).Height;
        // The documented bound (docs/STAKING.md): the jail's remaining epochs at the nominal pace, plus the leader timeout.
        var jailedUntil = jails.Count > 0 ? jails.Max() : halted.Epoch;
        var boundMs = (long)(jailedUntil - halted.Epoch) * (long)chain.Config.EpochLength * chain.Config.BlockIntervalMs + chain.Config.EffectiveLeaderTimeoutMs;
        await Poll.Until(() => chain.Chain.GetHead(), h => h.Height > stuck + 3, TimeSpan.FromSeconds(30), "the chain to resume by itself");
        var tookMs = (DateTime.UtcNow - haltedAt).TotalMilliseconds;
        Assert.True(tookMs <= 3 * boundMs + 5_000, $"resumed after {tookMs:F0} ms; the bound is {boundMs} ms");
        await Poll.Until(() => chain.Rotation.GetStatus(), st => !st.Halted, TimeSpan.FromSeconds(30), "rotation to clear the halt");
    }

    // ------------------------------------------------------------ 3. bootstrap validates first

    [Fact]
    public async Task A_whitelist_omitting_the_genesis_owners_is_refused_before_anything_is_written()
    {
        var config = TestChain.FastConfig("whitelist");
        using var outsider = SigningKey.Derive("not-a-genesis-owner", 0);
        config.RegistrationWhitelist = [outsider.Address.ToString()];
        var genesis = GenesisFor(config);
        var refused = await Bootstrap(genesis);
        Assert.Equal(ChainReason.InvalidGenesis, refused.Reason);
        Assert.Contains("RegistrationWhitelist", refused.Detail);
        Assert.Null(await fixture.Client.Chain(config.ChainId).GetGenesis()); // nothing was written: the id is not bricked
        var fixedConfig = config with { RegistrationWhitelist = [] };
        var ok = await Bootstrap(genesis with { Config = fixedConfig });
        Assert.True(ok.Ok, $"{ok.Reason} {ok.Detail}");
    }

    [Fact]
    public async Task Bootstrap_arguments_beyond_their_bounds_are_refused()
    {
        var genesis = GenesisFor(TestChain.FastConfig("huge-genesis")) with { LoadTestAccounts = MaxLoadTestAccounts + 1 };
        var refused = await Bootstrap(genesis);
        Assert.Equal(ChainReason.InvalidGenesis, refused.Reason);
        Assert.Contains("LoadTestAccounts", refused.Detail);
        Assert.Null(await fixture.Client.Chain(genesis.Config.ChainId).GetGenesis());
    }

    // ------------------------------------------------------------ 5. a lost jail notice, a forged standing

    [Fact]
    public async Task A_jailed_member_leaves_the_next_committee_even_when_its_jail_notice_is_lost_and_a_forged_standing_says_otherwise()
    {
        var chain = await TestChain.Start(fixture.Client, "lost-jail", c => c.EpochLength = 40);
        await chain.WaitForHeight(2);
        var epoch = (await chain.Rotation.GetStatus()).Epoch;
        var term = (await chain.Rotation.GetCurrent())!;
        // The leader crashes and is failed over for downtime (slashed and jailed the protocol's way) while every jail
        // notice to rotation is lost; a forged standing then says it is active again.
        var victim = term.LeaderId;
        using (TestFaults.Drop(c => IsRotationCall(c, chain.Id, nameof(IRotationGrain.OnStandingChanged))))
        {
            await chain.Sequencer(victim).InjectFault(new SequencerFault(SequencerFaultKind.Crash, Once: false));
            await Poll.Until(() => chain.Sequencer(victim).GetPool(), p => p!.Status == SequencerStatus.Jailed, TimeSpan.FromSeconds(30), "the leader jailed");
            await chain.Sequencer(victim).InjectFault(new SequencerFault(SequencerFaultKind.None));
        }
        epoch = (await chain.Rotation.GetStatus()).Epoch;
        using (TestCallers.AsInternal())
        {
            var pool = (await chain.Sequencer(victim).GetPool())!;
            Assert.Equal(SequencerStatus.Jailed, pool.Status);
            try
            {
                await chain.Rotation.OnStandingChanged(new StandingUpdate(victim, pool.TotalStake, SequencerStatus.Active, 0, pool.SignerPublicKey.ToArray(), epoch));
            }
            catch (CallRefusedException e)
            {
                Assert.Equal(CallRefusal.ContradictsRecord, e.Reason);
            }
        }
        await Poll.Until(() => chain.Rotation.GetStatus(), s => s.Epoch > epoch, TimeSpan.FromSeconds(30), "the next epoch");
        var next = await chain.Rotation.GetCommittee(epoch + 1);
        Assert.NotEmpty(next);
        Assert.DoesNotContain(victim, next.Select(s => s.Id));
    }

    // ------------------------------------------------------------ 6. bounded queries

    [Fact]
    public async Task Queries_beyond_their_bounds_are_refused_at_once()
    {
        var chain = await TestChain.Start(fixture.Client, "bounds");
        await chain.WaitForHeight(2);
        var schedule = await Assert.ThrowsAsync<CallRefusedException>(() => chain.Rotation.GetSchedule(int.MaxValue).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(CallRefusal.ArgumentOutOfBounds, schedule.Reason);
        var hashes = await Assert.ThrowsAsync<CallRefusedException>(() => chain.Chain.GetBlockHashes(1, ulong.MaxValue));
        Assert.Equal(CallRefusal.ArgumentOutOfBounds, hashes.Reason);
        Assert.Equal(4, (await chain.Rotation.GetSchedule(4)).Length);
        await chain.WaitForHeight(3); // rotation still answers and the chain still runs
    }

    // ------------------------------------------------------------ 7. settings that overflow

    [Theory]
    [InlineData(nameof(ChainConfig.ChallengeWindow))]
    [InlineData(nameof(ChainConfig.EpochLength))]
    [InlineData(nameof(ChainConfig.DowntimeJailEpochs))]
    [InlineData(nameof(ChainConfig.InvalidRootJailEpochs))]
    [InlineData(nameof(ChainConfig.CheckpointInterval))]
    public void Settings_that_would_wrap_heights_or_epochs_are_refused(string setting)
    {
        var config = TestChain.FastConfig("overflow");
        typeof(ChainConfig).GetProperty(setting)!.SetValue(config, ulong.MaxValue - 1);
        Assert.Contains(config.Validate(), e => e.Contains(setting));
    }

    // ------------------------------------------------------------ 10. defence in depth

    [Fact]
    public async Task A_forged_one_member_term_cannot_be_installed_on_the_chain()
    {
        var chain = await TestChain.Start(fixture.Client, "forged-term");
        await chain.WaitForHeight(2);
        var term = (await chain.Rotation.GetCurrent())!;
        using var attacker = SigningKey.Derive("attacker", 0);
        var forged = term with { Term = term.Term + 1_000, LeaderId = "seq-000", FirstHeight = 1, Committee = [new CommitteeSeat("seq-000", attacker.PublicKey, 1)] };
        using (TestCallers.AsInternal())
        {
            var e = await Assert.ThrowsAsync<CallRefusedException>(() => chain.Chain.SetLeadership(forged));
            Assert.Equal(ContradictsRecord, e.Reason);
        }
        var head = await chain.WaitForHeight((await chain.Chain.GetHead()).Height + 3);
        Assert.True(head.Term < forged.Term, $"the chain runs term {head.Term}");
    }

    [Fact]
    public async Task Validation_reports_without_the_validators_signature_or_for_another_hash_change_nothing()
    {
        var chain = await TestChain.Start(fixture.Client, "forged-validation");
        using (TestCallers.AsOperator())
            foreach (var v in chain.Genesis.Validators) await chain.Validator(v.Id).InjectFault(ValidatorFaultKind.Offline);
        var head = await chain.WaitForHeight(3);
        var before = (await chain.Chain.GetHead()).ValidatedHeight;
        using (TestCallers.AsInternal())
            for (ulong h = before + 1; h <= head.Height; h++)
            {
                var block = (await chain.Chain.GetBlock(h))!;
                foreach (var v in chain.Genesis.Validators)
                {
#if PREFIX_API
                    await chain.Chain.ReportValidated(v.Id, block.Height, block.Hash);
#else
                    await chain.Chain.ReportValidated(v.Id, block.Height, block.Hash, new byte[64]);
                    using var key = GenesisKeys.Validator(chain.NodeKeySeed, chain.Id, v.Id);
                    var other = Hash32.Sha256("not the block"u8);
                    await chain.Chain.ReportValidated(v.Id, block.Height, other, ValidationReport.Sign(key, chain.Id, block.Height, other));
#endif
                }
            }
        await chain.WaitForHeight(head.Height + 3); // the one-way reports have landed behind later blocks
        Assert.Equal(before, (await chain.Chain.GetHead()).ValidatedHeight);
        using (TestCallers.AsOperator())
            foreach (var v in chain.Genesis.Validators) await chain.Validator(v.Id).InjectFault(ValidatorFaultKind.None);
    }

    [Fact]
    public async Task Rotation_cannot_be_initialized_for_a_chain_id_before_its_bootstrap()
    {
        var config = TestChain.FastConfig("init-first");
        using (TestCallers.AsInternal())
            await Assert.ThrowsAnyAsync<Exception>(() => fixture.Client.Rotation(config.ChainId).Initialize(config, [], 0));
        var ok = await Bootstrap(GenesisFor(config));
        Assert.True(ok.Ok, $"{ok.Reason} {ok.Detail}");
        await Poll.Until(() => fixture.Client.Chain(config.ChainId).GetHead(), h => h.Height >= 3, TimeSpan.FromSeconds(30), "blocks");
    }

    [Fact]
    public async Task Forged_rotation_notices_change_nothing()
    {
        var chain = await TestChain.Start(fixture.Client, "forged-notices");
        await chain.WaitForHeight(3);
        var term = (await chain.Rotation.GetCurrent())!;
        using (TestCallers.AsInternal())
        {
            // A notice beyond the chain's head (would end the epoch), a failover of a leader with no penalty.
            Assert.Null(await chain.Rotation.OnBlockCommitted(term.LastHeight, term.Term, term.LeaderId, 0));
            var headHeight = (await chain.Chain.GetHead()).Height;
            await Assert.ThrowsAnyAsync<Exception>(() => chain.Rotation.ForceFailover(term.Term, "forged", headHeight));
        }
        var status = await chain.Rotation.GetStatus();
        Assert.Equal(term.Epoch, status.Epoch);
        Assert.Equal(term.Term, status.Current!.Term);
        Assert.Equal(0, status.Failovers);
    }

    [Fact]
    public async Task A_forged_quorum_failure_report_does_not_hold_off_the_failover_of_a_crashed_leader()
    {
        var chain = await TestChain.Start(fixture.Client, "forged-quorum");
        await chain.WaitForHeight(3);
        var term = (await chain.Rotation.GetCurrent())!;
        using (TestCallers.AsOperator())
            await chain.Sequencer(term.LeaderId).InjectFault(new SequencerFault(SequencerFaultKind.Crash, Once: false));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        LeadershipTerm? current = term;
        while (current!.Term == term.Term && DateTime.UtcNow < deadline)
        {
            var head = await chain.Chain.GetHead();
            using (TestCallers.AsInternal())
#if PREFIX_API
                await chain.Rotation.ReportQuorumFailure(term.LeaderId, term.Term, head.Height + 1, 0, term.TotalPower);
#else
                await chain.Rotation.ReportQuorumFailure(term.LeaderId, term.Term, head.Height + 1, 0, term.TotalPower, new byte[64]);
#endif
            await Task.Delay(50); // the forger's cadence, not a wait for a condition
            current = await chain.Rotation.GetCurrent();
        }
        Assert.NotEqual(term.Term, current.Term);
        using (TestCallers.AsOperator())
            await chain.Sequencer(term.LeaderId).InjectFault(new SequencerFault(SequencerFaultKind.None));
    }

    // ------------------------------------------------------------ a term replaced while an append awaits

    [Fact]
    public async Task A_block_whose_term_was_replaced_while_its_append_awaited_is_refused()
    {
        var chain = await TestChain.Start(fixture.Client, "append-stale-term", accounts: 8);
        try
        {
            await chain.WaitForHeight(2);
            // A transfer only this block carries: the chain's admission lookup for it (the append's first await, before
            // its commit point) is held at the mempool, where that query interleaves.
            var tx = chain.Transfer(0, 1, Token.OneToken);
            var mempool = chain.Mempool.GetGrainId();
            using var hold = TestFaults.Hold(c => c.TargetId == mempool && c.MethodName == nameof(IMempoolGrain.GetAdmissions)
                && c.Request.GetArgumentCount() == 1 && c.Request.GetArgument(0) is Hash32[] hashes && hashes.Contains(tx.Hash));

            // The current leader's certified block on the head (the test holds the node keys); the running leader may
            // append first, then it is refused before the hold and made again on the new head.
            Block? block = null;
            LeadershipTerm? term = null;
            Task<AppendResult>? append = null;
            for (int attempt = 0; attempt < 20 && append is null; attempt++)
            {
                term = (await chain.Rotation.GetCurrent())!;
                var head = await chain.Chain.GetHead();
                using var leaderKey = GenesisKeys.SequencerSigner(chain.NodeKeySeed, chain.Id, term.LeaderId);
                block = Block.Create(leaderKey, chain.Id, head.Height + 1, term.Epoch, term.Term, head.Hash, head.StateRoot,
                    DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), term.LeaderId, default, [new BlockEntry(tx, 0)]);
                var certificate = new QuorumCertificate(block.Hash, term.Committee.Select(m =>
                {
                    using var key = GenesisKeys.SequencerSigner(chain.NodeKeySeed, chain.Id, m.Id);
                    return new CommitteeSignature(m.Id, Signing.SignAttestation(key, block.Hash));
                }).ToArray());
                Task<AppendResult> call;
                using (TestCallers.AsInternal()) call = chain.Chain.AppendBlock(block, certificate);
                if (await Task.WhenAny(call, hold.Entered) == hold.Entered) append = call;
                else Assert.True((await call).Reason is ChainReason.WrongParent or ChainReason.StaleTerm or ChainReason.WrongHeight,
                    $"the forged block was refused for another reason: {(await call).Reason} {(await call).Detail}");
            }
            Assert.True(append is not null, "the block never reached the chain's admission lookup");

            // While the append waits the head cannot move: rotation's watch fails the leader over, and the new term reaches
            // the chain through SetLeadership, which interleaves.
            await Poll.Until(() => chain.Chain.GetHead(), h => h.Term > term!.Term, TimeSpan.FromSeconds(30), "a new term on the chain while the append waits");
            hold.Release();
            var result = await append!.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(result.Reason == ChainReason.StaleTerm, $"a block of term {term!.Term}, replaced while its append awaited, was {result.Reason} {result.Detail}");

            // The chain goes on under the new term, without that block.
            var height = block!.Header.Height;
            await chain.WaitForHeight(height + 1);
            Assert.NotEqual(block.Hash, (await chain.Chain.GetBlockHashes(height, height)).Single());
            Assert.True((await chain.Chain.GetTxStatus(tx.Hash)).Level == TxLevel.Unknown, "the held block's transfer reached the chain");
        }
        finally
        {
            await ChainHalt.Stop(chain);
        }
    }

    // ------------------------------------------------------------ the supply audit is a snapshot

    [Fact]
    public async Task The_supply_audit_is_a_snapshot_exact_while_money_moves()
    {
        var chain = await TestChain.Start(fixture.Client, "audit-snapshot", accounts: 16);
        try
        {
            await chain.WaitForHeight(2);
            // One audit held in the middle: the chain's query of a validator's bond (it interleaves at the validator) waits
            // while a transfer commits, moving its fee from the L2 balances to the fees in flight.
            var validator = chain.Validator("val-00").GetGrainId();
            var chainGrain = chain.Chain.GetGrainId();
            using (var hold = TestFaults.Hold(c => c.TargetId == validator && c.SourceId == chainGrain && c.MethodName == nameof(IValidatorGrain.GetView)))
            {
                var audit = chain.Chain.AuditSupply();
                await hold.Entered.WaitAsync(TimeSpan.FromSeconds(30));
                var tx = chain.Transfer(0, 1, Token.OneToken);
                Assert.Equal(AdmissionReason.Ok, (await chain.Submit(tx)).Single().Reason);
                await chain.WaitForLevel(tx.Hash, TxLevel.SoftConfirmed);
                hold.Release();
                AssertExact(await audit.WaitAsync(TimeSpan.FromSeconds(30)), "an audit held while a transfer committed");
            }

            // Then many audits while transfers commit and finalize (fees move to the pools, rewards are minted).
            // Traffic runs at least 40 rounds and until 30 audits overlapped it (a loaded machine audits slowly).
            var stop = new CancellationTokenSource();
            int audits = 0;
            var traffic = Task.Run(async () =>
            {
                for (int round = 0; (round < 40 || Volatile.Read(ref audits) < 30) && round < 1_000 && !stop.IsCancellationRequested; round++)
                {
                    var txs = Enumerable.Range(2, 14).Select(i => chain.Transfer(i, (i + 1) % 16, Token.OneToken / 10)).ToArray();
                    Assert.All(await chain.Submit(txs), r => Assert.Equal(AdmissionReason.Ok, r.Reason));
                    await chain.WaitForLevel(txs[^1].Hash, TxLevel.SoftConfirmed);
                }
            });
            try
            {
                while (!traffic.IsCompleted)
                {
                    var parallel = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => chain.Chain.AuditSupply()));
                    foreach (var a in parallel) AssertExact(a, $"audit {Interlocked.Increment(ref audits)}");
                }
            }
            finally
            {
                stop.Cancel();
            }
            await traffic;
            var head = await chain.Chain.GetHead();
            Assert.True(audits >= 30, $"only {audits} audits ran while money moved");
            Assert.True(head.FinalizedHeight > 2, "nothing was finalized while the audits ran");
        }
        finally
        {
            await ChainHalt.Stop(chain);
        }
    }

    private static void AssertExact(SupplyAudit a, string what) =>
        Assert.True(a.Conserved, $"{what}: total {a.Total} != expected {a.Expected} (L2 {a.L2Balances}, fees in flight {a.FeesInFlight}, " +
            $"L1 {a.L1Balances}, bonded {a.Bonded}, unbonding {a.Unbonding}, pools {a.RewardPools}, validator bonds {a.ValidatorBonds}, " +
            $"validator rewards {a.ValidatorRewards}, genesis {a.Genesis}, minted {a.Minted}, burned {a.Burned})");
}
