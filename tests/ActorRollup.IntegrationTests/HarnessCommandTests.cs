using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;
using ActorRollup.Harness;
using ActorRollup.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorRollup.IntegrationTests;

/// <summary>
/// A real silo host in the test process, configured exactly as the silo executable configures one
/// (<see cref="RollupSilo.ConfigureSilo"/>, ClusterId and ServiceId from appsettings.json) on free ports, so the harness
/// commands reach it over TCP with <c>--gateway 127.0.0.1:port</c> like they reach any running cluster. Its co-hosted
/// client bootstraps the tests' chains and checks what the commands did.
/// </summary>
public sealed class HarnessSiloFixture : IAsyncLifetime
{
    /// <summary>The harness commands read the operator key from configuration (here the environment), as an operator's do.</summary>
    private const string OperatorKeyVariable = "ACTORROLLUP_Cluster__OperatorKey";
    private IHost? _host;
    private string? _previousOperatorKey;

    public IClusterClient Client { get; private set; } = null!;
    public string Gateway { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationManager();
        RollupSilo.AddConfiguration(configuration, []);
        var (cluster, _, _) = RollupSilo.Bind(configuration);
        var settings = new ClusterSettings
        {
            SiloPort = HarnessCommandTests.FreePort(),
            GatewayPort = HarnessCommandTests.FreePort(),
            ServiceId = cluster.ServiceId,
            ClusterId = cluster.ClusterId,
            OperatorKey = TestCallers.OperatorKey,
        };
        settings.PrimarySiloPort = settings.SiloPort;
        _previousOperatorKey = Environment.GetEnvironmentVariable(OperatorKeyVariable);
        Environment.SetEnvironmentVariable(OperatorKeyVariable, TestCallers.OperatorKey);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo =>
        {
            RollupSilo.ConfigureSilo(silo, settings);
            silo.AddOutgoingGrainCallFilter<TestCallers.Presenter>();
        });
        _host = builder.Build();
        await _host.StartAsync();
        Client = _host.Services.GetRequiredService<IClusterClient>();
        Gateway = $"127.0.0.1:{settings.GatewayPort}";
    }

    public async Task DisposeAsync()
    {
        Environment.SetEnvironmentVariable(OperatorKeyVariable, _previousOperatorKey);
        if (_host is null) return;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await _host.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
        }
        _host.Dispose();
    }
}

/// <summary>Runs alone (not beside the two-silo cluster collection): a 2-core machine starves clusters run in parallel.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HarnessCollection : ICollectionFixture<HarnessSiloFixture>
{
    public const string Name = "harness";
}

/// <summary>
/// The cluster commands of the <c>rollup</c> harness (status, transfer, tx, blocks, register-sequencer, stake and its
/// top-level forms, fault), run in-process through <see cref="Cli.RunAsync"/> against a real silo reached over its
/// gateway; every test checks the outcome in the grains, not only the text. Also: bad input exits 2 with one line,
/// an unreachable gateway exits 3, and without --gateway an embedded silo answers with no setup.
/// </summary>
[Collection(HarnessCollection.Name)]
public sealed class HarnessCommandTests(HarnessSiloFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);
    private readonly List<TestChain> _chains = [];

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Retires this test's chains, so finished tests do not keep producing blocks beside the next ones.</summary>
    public async Task DisposeAsync()
    {
        foreach (var chain in _chains) await chain.Rotation.Retire();
    }

    // ------------------------------------------------------------------------------------------------ status

    [Fact]
    public async Task Bootstrapped_chains_are_listed_newest_first_and_status_shows_the_latest()
    {
        var first = await Start("cli-recent-a");
        var second = await Start("cli-recent-b", c => c.CommitteeSize = 3);

        // The registry: both chains, newest first, with what their genesis said.
        var listed = await fixture.Client.ChainRegistryGrain().Latest(ChainRegistry.Capacity);
        var mine = listed.Where(e => e.ChainId == first.Id || e.ChainId == second.Id).ToArray();
        Assert.Equal([second.Id, first.Id], mine.Select(e => e.ChainId));
        Assert.Equal(3, mine[0].CommitteeSize);
        Assert.Equal(second.Genesis.Sequencers.Length, mine[0].Sequencers);
        Assert.Equal(second.Genesis.Validators.Length, mine[0].Validators);
        Assert.True(mine[0].CreatedAtMs >= mine[1].CreatedAtMs);
        Assert.Equal(listed.Select(e => e.CreatedAtMs).OrderDescending(), listed.Select(e => e.CreatedAtMs));

        // A second bootstrap of the same chain is refused and does not list it twice.
        await first.Chain.Bootstrap(first.Genesis);
        Assert.Single(await fixture.Client.ChainRegistryGrain().Latest(ChainRegistry.Capacity), e => e.ChainId == first.Id);

        // status of the older chain lists the latest ones below it, the shown one marked, with the hint to show another.
        var (exit, stdout, stderr) = await RunOn(first, "status");
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        Assert.Contains("latest chains (newest first; rollup status --chain ID shows one):", stdout);
        Assert.Matches($@"(?m)^  \* {Regex.Escape(first.Id)}\s+\d\d:\d\d:\d\d\.\d{{3}}Z  committee {first.Genesis.Config.CommitteeSize} of 5, 4 validators$", stdout);
        Assert.Matches($@"(?m)^    {Regex.Escape(second.Id)}\s+\d\d:\d\d:\d\d\.\d{{3}}Z  committee 3 of 5, 4 validators$", stdout);
        Assert.True(stdout.IndexOf(second.Id, stdout.IndexOf("latest chains", StringComparison.Ordinal), StringComparison.Ordinal)
                    < stdout.IndexOf("* " + first.Id, StringComparison.Ordinal), stdout);
    }

    [Fact]
    public async Task Status_shows_heights_leader_committee_settlement_and_supply_and_watch_refreshes()
    {
        var chain = await Start("cli-status");
        await chain.WaitForHeight(3);

        var (exit, stdout, stderr) = await RunOn(chain, "status");
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        Assert.StartsWith($"chain {chain.Id} ({fixture.Gateway})", stdout);
        var soft = Number(stdout, @"soft-confirmed (\d+)");
        Assert.True(soft >= 3, stdout);
        Assert.True(Number(stdout, @"validated (\d+)") <= soft);
        var leader = Regex.Match(stdout, @"leader (seq-\d{3})").Groups[1].Value;
        Assert.Contains(leader, chain.Genesis.Sequencers.Select(s => s.Id));
        Assert.Contains("halted           no", stdout);
        Assert.Contains("failovers        0", stdout);
        Assert.Contains("rollbacks 0", stdout);
        Assert.Contains($"L2 supply        {chain.Genesis.LoadTestAccounts * (int)chain.Genesis.LoadTestAccountTokens} tokens", stdout);
        Assert.Matches(@"settlement\s+posted to height \d+ \(\d+ batches\)\s+finalized to height \d+", stdout);

        // The committee table: one row per member with its power and its status from the sequencer's own view.
        var rows = TableRows(stdout);
        var committee = (await chain.Status()).Committee;
        Assert.Equal(committee.Select(m => m.Id).Order(), rows.Select(r => r[0]).Order());
        foreach (var seat in committee)
        {
            var row = rows.Single(r => r[0] == seat.Id);
            Assert.Equal(seat.Power.ToString(), row[1]);
            Assert.Equal((await chain.Sequencer(seat.Id).GetView()).Status, row[3]);
            Assert.Equal("None", row[4]);
        }
        Assert.Single(rows, r => r[5] == "leader");

        // --watch --count N: N snapshots, the chain visibly moving between them.
        (exit, stdout, stderr) = await RunOn(chain, "status", "--watch", "--count", "3", "--interval", "300");
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        var snapshots = Regex.Matches(stdout, @"^--- \d\d:\d\d:\d\d\.\d{3}Z \((\d)\) ---$", RegexOptions.Multiline);
        Assert.Equal(["1", "2", "3"], snapshots.Select(m => m.Groups[1].Value));
        var heights = Regex.Matches(stdout, @"soft-confirmed (\d+)").Select(m => ulong.Parse(m.Groups[1].Value)).ToArray();
        Assert.Equal(3, heights.Length);
        Assert.True(heights[0] <= heights[1] && heights[1] <= heights[2] && heights[0] < heights[2], string.Join(",", heights));
    }

    // ------------------------------------------------------------------------------------------------ transfer and tx

    [Fact]
    public async Task Transfer_is_admitted_committed_and_finalized_and_moves_the_balances_and_tx_reports_it()
    {
        var chain = await Start("cli-transfer");
        var from = chain.Account(1).Address;
        var to = chain.Account(2).Address;
        var before = await chain.Chain.GetAccounts([from, to]);

        var (exit, stdout, stderr) = await RunOn(chain, "transfer", "--from-account", "1", "--to-account", "2", "--amount", "5", "--wait", "finalized");
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        var hash = Hash32.Parse(Regex.Match(stdout, @"^tx (0x[0-9a-f]{64})$", RegexOptions.Multiline).Groups[1].Value);
        Assert.Contains($"from             account 1 ({from})", stdout);
        Assert.Contains($"to               account 2 ({to})", stdout);
        Assert.Matches(@"admission\s+Ok \(0\)\s+arrival sequence [1-9]\d*", stdout);
        Assert.Matches(@"soft-confirmed\s+height \d+\s+\+\d+ ms from admission", stdout);
        Assert.Matches(@"validated\s+height \d+\s+\+\d+ ms from admission", stdout);
        Assert.Matches(@"finalized\s+height \d+\s+\+\d+ ms from admission", stdout);

        var status = await chain.Chain.GetTxStatus(hash);
        Assert.Equal(TxLevel.Finalized, status.Level);
        Assert.Contains($"soft-confirmed   height {status.Height} ", stdout);
        var after = await chain.Chain.GetAccounts([from, to]);
        var fee = (UInt128)ChainParameters.TransferGas * chain.Config.MinGasPrice;
        Assert.Equal(before[0].Balance - Token.FromTokens(5) - fee, after[0].Balance);
        Assert.Equal(before[0].Nonce + 1, after[0].Nonce);
        Assert.Equal(before[1].Balance + Token.FromTokens(5), after[1].Balance);

        // tx <hash>: the same status, with a time and a latency for every level.
        (exit, stdout, stderr) = await RunOn(chain, "tx", hash.ToString());
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        Assert.Contains("level            finalized", stdout);
        Assert.Contains($"height           {status.Height}", stdout);
        Assert.Contains($"arrival sequence {status.ArrivalSequence}", stdout);
        Assert.Matches(@"admitted\s+\d\d:\d\d:\d\d\.\d{3}Z", stdout);
        Assert.Matches(@"finalized\s+\d\d:\d\d:\d\d\.\d{3}Z\s+\+\d+ ms from admission", stdout);

        // --to ADDRESS, a custom gas price, --wait soft: a fresh address receives exactly the value.
        using var stranger = SigningKey.Generate();
        (exit, stdout, stderr) = await RunOn(chain, "transfer", "--from-account", "3", "--to", stranger.Address.ToString(), "--amount", "0.25",
            "--gas-price", (chain.Config.MinGasPrice * 2).ToString(), "--wait", "soft");
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        Assert.Contains("soft-confirmed", stdout);
        Assert.DoesNotContain("validated  ", stdout);
        Assert.Equal(Token.OneToken / 4, (await chain.Chain.GetAccounts([stranger.Address]))[0].Balance);

        // Refused by admission: the reason code on stdout, one error line, exit 4, nothing moved.
        var poor = (await chain.Chain.GetAccounts([chain.Account(6).Address]))[0];
        (exit, stdout, stderr) = await RunOn(chain, "transfer", "--from-account", "6", "--to-account", "7", "--amount", "5000");
        Assert.Equal(4, exit);
        Assert.Contains("admission        InsufficientBalance (6)", stdout);
        AssertOneErrorLine(stderr);
        Assert.Equal(poor, (await chain.Chain.GetAccounts([chain.Account(6).Address]))[0]);

        // An unknown hash: level unknown, exit 4.
        (exit, stdout, stderr) = await RunOn(chain, "tx", new string('a', 64));
        Assert.Equal(4, exit);
        Assert.Contains("level            unknown", stdout);
        AssertOneErrorLine(stderr);
    }

    [Fact]
    public async Task Transfer_after_pending_transactions_of_the_same_account_takes_the_next_free_nonce()
    {
        // Slow blocks: the first transfer is usually still pending when the second is signed.
        var chain = await Start("cli-nonce", c => c.BlockIntervalMs = 2_000);
        // The same transfer twice: the second finds nonce 0 held by the first (pending: Duplicate; committed: the
        // account nonce is 1 already) and goes out with nonce 1 either way.
        var first = await RunOn(chain, "transfer", "--from-account", "4", "--to-account", "5", "--amount", "1");
        var second = await RunOn(chain, "transfer", "--from-account", "4", "--to-account", "5", "--amount", "1", "--wait", "soft");
        Assert.Equal(0, first.Exit);
        Assert.Equal(0, second.Exit);
        Assert.Contains("nonce            0 ", first.Stdout);
        Assert.Contains("nonce            1 ", second.Stdout);
        Assert.NotEqual(Regex.Match(first.Stdout, "^tx (.*)$", RegexOptions.Multiline).Value, Regex.Match(second.Stdout, "^tx (.*)$", RegexOptions.Multiline).Value);
        await Poll.Until(() => chain.Chain.GetAccounts([chain.Account(4).Address]), a => a[0].Nonce == 2, TimeSpan.FromSeconds(30), "both transfers committed");
    }

    // ------------------------------------------------------------------------------------------------ blocks

    [Fact]
    public async Task Blocks_lists_the_requested_heights_with_proposer_power_and_flags()
    {
        var chain = await Start("cli-blocks");
        await chain.WaitForHeight(12);

        var (exit, stdout, stderr) = await RunOn(chain, "blocks", "--from", "3", "--count", "4");
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        Assert.StartsWith($"chain {chain.Id}: blocks 3..6 of ", stdout);
        var rows = TableRows(stdout);
        Assert.Equal(["3", "4", "5", "6"], rows.Select(r => r[0]));
        foreach (var row in rows)
        {
            var block = (await chain.Chain.GetBlock(ulong.Parse(row[0])))!;
            Assert.Equal(block.Epoch.ToString(), row[1]);
            Assert.Equal(block.Term.ToString(), row[2]);
            Assert.Equal(block.Proposer, row[3]);
            Assert.Equal(block.TransactionCount.ToString(), row[4]);
            Assert.Equal($"{block.SignedPower}/{block.CommitteePower}", row[5]);
            Assert.Equal("0x" + block.StateRoot.ToHex()[..12], row[6]);
            Assert.Equal("yes", row[7]);
        }

        // Default: the last 10 blocks, consecutive, ending at (or after) the head seen before the command.
        var head = (await chain.Chain.GetHead()).Height;
        (exit, stdout, _) = await RunOn(chain, "blocks");
        Assert.Equal(0, exit);
        var heights = TableRows(stdout).Select(r => ulong.Parse(r[0])).ToArray();
        Assert.Equal(10, heights.Length);
        Assert.True(heights[^1] >= head, $"last listed {heights[^1]}, head was {head}");
        Assert.Equal(Enumerable.Range(0, 10).Select(i => heights[0] + (ulong)i), heights);

        // Validation flags follow the chain's validated and finalized heights.
        var now = await Poll.Until(() => chain.Chain.GetHead(), h => h.FinalizedHeight >= 5, TimeSpan.FromSeconds(30), "finality of block 5");
        (exit, stdout, _) = await RunOn(chain, "blocks", "--from", "1", "--count", "5");
        Assert.Equal(0, exit);
        Assert.All(TableRows(stdout), r => Assert.Equal(["yes", "yes", "yes"], r[7..10]));

        // Past the head: no rows, still a success.
        (exit, stdout, _) = await RunOn(chain, "blocks", "--from", "1000000");
        Assert.Equal(0, exit);
        Assert.Contains("no blocks from height 1000000", stdout);
        Assert.True(now.Height > 0);
    }

    // ------------------------------------------------------------------------------------------------ staking

    [Fact]
    public async Task Register_sequencer_delegate_unlock_claim_and_claim_rewards_act_on_the_pools()
    {
        // Long epochs: nothing passes its exit delay during the test, and the leader stays the same.
        var chain = await Start("cli-stake", c => c.EpochLength = 1_000);
        var owner0 = GenesisKeys.SequencerOwner(chain.NodeKeySeed, chain.Id, "seq-000").Address;
        var owner1 = GenesisKeys.SequencerOwner(chain.NodeKeySeed, chain.Id, "seq-001").Address;

        var (exit, stdout, stderr) = await RunOn(chain, "register-sequencer", "--id", "seq-new", "--owner-sequencer", "seq-000", "--stake", "20000");
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        Assert.Contains("result           Ok (0)   amount 20000 tokens", stdout);
        var signerKey = Regex.Match(stdout, @"signer key\s+(0x[0-9a-f]{64})").Groups[1].Value;
        var registered = await chain.Sequencer("seq-new").GetView();
        Assert.Equal("Candidate", registered.Status);
        Assert.Equal(owner0, registered.Owner);
        Assert.Equal(Token.FromTokens(20_000), registered.SelfStake);
        Assert.Equal(signerKey, "0x" + registered.SignerPublicKey);
        Assert.Contains("sequencer        seq-new   status Candidate", stdout);
        Assert.Contains(await chain.Rotation.GetSequencerIds(), id => id == "seq-new");

        // stake delegate (the parent form), signed by seq-001's owner.
        var balance1 = (await chain.Client.Staker(chain.Id, owner1).GetView()).Balance;
        (exit, stdout, stderr) = await RunOn(chain, "stake", "delegate", "--owner-sequencer", "seq-001", "--to", "seq-new", "--amount", "100");
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        Assert.Contains("result           Ok (0)   amount 100 tokens", stdout);
        Assert.Equal(Token.FromTokens(20_100), (await chain.Sequencer("seq-new").GetView()).TotalStake);
        var staker1 = await chain.Client.Staker(chain.Id, owner1).GetView();
        Assert.Equal(balance1 - Token.FromTokens(100), staker1.Balance);
        Assert.Contains(staker1.Positions, p => p.SequencerId == "seq-new" && p.Value == Token.FromTokens(100));
        Assert.Contains($"staker           {owner1}", stdout);
        Assert.Contains(TableRows(stdout), r => r[0] == "seq-new" && r[1] == "100 tokens");

        // unlock (the top-level form): a pending unlock appears, claimable after the exit delay.
        (exit, stdout, stderr) = await RunOn(chain, "unlock", "--owner-sequencer", "seq-001", "--to", "seq-new", "--amount", "40");
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        staker1 = await chain.Client.Staker(chain.Id, owner1).GetView();
        var unlock = Assert.Single(staker1.PendingUnlocks);
        Assert.Equal(Token.FromTokens(40), unlock.Amount);
        Assert.Contains(TableRows(stdout), r => r[0] == "seq-new" && r[1] == "40 tokens" && r[2] == unlock.ClaimableFromEpoch.ToString());
        Assert.Equal(Token.FromTokens(20_060), (await chain.Sequencer("seq-new").GetView()).TotalStake);

        // claim before the exit delay: refused with its reason code, exit 4, nothing moved.
        (exit, stdout, stderr) = await RunOn(chain, "claim", "--owner-sequencer", "seq-001");
        Assert.Equal(4, exit);
        Assert.Contains("result           ExitDelayNotPassed (13)", stdout);
        AssertOneErrorLine(stderr);
        Assert.Single((await chain.Client.Staker(chain.Id, owner1).GetView()).PendingUnlocks);

        // claim-rewards by the leader's owner once its blocks are final: the L1 balance grows by what was claimed.
        var leader = (await chain.Rotation.GetCurrent())!.LeaderId;
        var leaderOwner = GenesisKeys.SequencerOwner(chain.NodeKeySeed, chain.Id, leader).Address;
        await Poll.Until(() => chain.Chain.GetHead(), h => h.FinalizedHeight >= 10, TimeSpan.FromSeconds(30), "finality of 10 blocks");
        var leaderBefore = (await chain.Client.Staker(chain.Id, leaderOwner).GetView()).Balance;
        (exit, stdout, stderr) = await RunOn(chain, "stake", "claim-rewards", "--owner-sequencer", leader);
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        var claimed = (await chain.Client.Staker(chain.Id, leaderOwner).GetView());
        Assert.True(claimed.RewardsClaimed > 0, stdout);
        Assert.Equal(leaderBefore + claimed.RewardsClaimed, claimed.Balance);
        Assert.Contains($"amount {Token.Format(claimed.RewardsClaimed)} tokens", stdout);

        // Refused by the pool: below minLock (exit 4); bad input (exit 2) never reaches it.
        (exit, stdout, stderr) = await RunOn(chain, "register-sequencer", "--id", "seq-small", "--owner-sequencer", "seq-002", "--stake", "10");
        Assert.Equal(4, exit);
        Assert.Contains("result           BelowMinLock (2)", stdout);
        AssertOneErrorLine(stderr);
        Assert.Equal("Unregistered", (await chain.Sequencer("seq-small").GetView()).Status);
        await AssertUsageError(RunOn(chain, "delegate", "--owner-sequencer", "seq-999", "--amount", "1"));
        await AssertUsageError(RunOn(chain, "delegate", "--owner-sequencer", "seq-001", "--to", "seq-nope", "--amount", "1"));
        Assert.Equal(staker1.Nonce, (await chain.Client.Staker(chain.Id, owner1).GetView()).Nonce);
    }

    [Fact]
    public async Task Signing_as_a_genesis_owner_needs_the_operator_key_the_chains_node_seed_derives_from()
    {
        // A chain whose members' keys derive from the operator key (as the silo's configured chain without
        // Genesis:NodeKeySeed), and one with a random node-key seed that no tool holds.
        var chain = await Start("cli-owner-key", c => c.EpochLength = 1_000);
        var foreign = await TestChain.Start(fixture.Client, "cli-owner-foreign", c => c.LeaderTimeoutMs = 5_000, nodeKeySeed: GenesisKeys.NewNodeKeySeed());
        _chains.Add(foreign);
        var owner1 = GenesisKeys.SequencerOwner(chain.NodeKeySeed, chain.Id, "seq-001").Address;
        var before = await chain.Client.Staker(chain.Id, owner1).GetView();

        // Without the operator key the harness cannot act as an owner: one error line, exit 2, nothing signed or moved.
        var variable = "ACTORROLLUP_Cluster__OperatorKey";
        var operatorKey = Environment.GetEnvironmentVariable(variable);
        Environment.SetEnvironmentVariable(variable, null);
        // Nor a key file (the per-user default may exist on this machine): a file that is not there.
        const string fileVariable = "ACTORROLLUP_Cluster__OperatorKeyFile";
        var keyFile = Environment.GetEnvironmentVariable(fileVariable);
        Environment.SetEnvironmentVariable(fileVariable, Path.Combine(Path.GetTempPath(), $"no-operator-key-{Guid.NewGuid():N}"));
        try
        {
            var (exit, stdout, stderr) = await RunOn(chain, "delegate", "--owner-sequencer", "seq-001", "--to", "seq-000", "--amount", "1");
            Assert.True(exit == 2, $"exit {exit}; stdout: {stdout}; stderr: {stderr}");
            Assert.Contains("needs the chain's node-key seed: set Cluster:OperatorKey", AssertOneErrorLine(stderr));
            (exit, stdout, stderr) = await RunOn(chain, "register-sequencer", "--id", "seq-nokey", "--owner-sequencer", "seq-000", "--stake", "20000");
            Assert.True(exit == 2, $"exit {exit}; stdout: {stdout}; stderr: {stderr}");
            AssertOneErrorLine(stderr);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, operatorKey);
            Environment.SetEnvironmentVariable(fileVariable, keyFile);
        }
        Assert.Equal(before.Nonce, (await chain.Client.Staker(chain.Id, owner1).GetView()).Nonce);
        Assert.Equal("Unregistered", (await chain.Sequencer("seq-nokey").GetView()).Status);

        // With it, but on a chain whose node-key seed is not the operator key's: refused the same way.
        var foreignOwner = GenesisKeys.SequencerOwner(foreign.NodeKeySeed, foreign.Id, "seq-001").Address;
        var foreignBefore = await foreign.Client.Staker(foreign.Id, foreignOwner).GetView();
        var (fexit, fstdout, fstderr) = await RunOn(foreign, "delegate", "--owner-sequencer", "seq-001", "--to", "seq-000", "--amount", "1");
        Assert.True(fexit == 2, $"exit {fexit}; stdout: {fstdout}; stderr: {fstderr}");
        Assert.Contains("does not derive from this harness's operator key", AssertOneErrorLine(fstderr));
        Assert.Equal(foreignBefore.Nonce, (await foreign.Client.Staker(foreign.Id, foreignOwner).GetView()).Nonce);

        // And with the operator key on its own chain, the owner signs.
        var (okExit, _, okStderr) = await RunOn(chain, "delegate", "--owner-sequencer", "seq-001", "--to", "seq-000", "--amount", "1");
        Assert.True(okExit == 0, okStderr);
        Assert.Equal(before.Nonce + 1, (await chain.Client.Staker(chain.Id, owner1).GetView()).Nonce);
    }

    // ------------------------------------------------------------------------------------------------ faults

    [Fact]
    public async Task Fault_injects_into_sequencers_the_leader_and_validators_and_clears()
    {
        var chain = await Start("cli-fault", c => c.LeaderTimeoutMs = 1_000);
        await chain.WaitForHeight(2);

        var (exit, stdout, stderr) = await RunOn(chain, "fault", "slow", "--target", "seq-001", "--delay", "20");
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        Assert.Contains("injected Slow (delay 20 ms, until cleared) into sequencer seq-001", stdout);
        Assert.Equal("Slow", (await chain.Sequencer("seq-001").GetView()).Fault);
        Assert.Contains("sequencer seq-001: fault Slow", stdout);

        (exit, stdout, _) = await RunOn(chain, "fault", "--clear", "--target", "seq-001");
        Assert.Equal(0, exit);
        Assert.Contains("cleared sequencer seq-001", stdout);
        Assert.Equal("None", (await chain.Sequencer("seq-001").GetView()).Fault);

        var censored = chain.Account(9).Address.ToString();
        (exit, _, _) = await RunOn(chain, "fault", "censor", "--target", "seq-002", "--sender", censored);
        Assert.Equal(0, exit);
        Assert.Equal("Censor", (await chain.Sequencer("seq-002").GetView()).Fault);
        (exit, _, _) = await RunOn(chain, "fault", "none", "--target", "seq-002");
        Assert.Equal(0, exit);
        Assert.Equal("None", (await chain.Sequencer("seq-002").GetView()).Fault);

        // --target leader: the current leader crashes, and rotation fails over to another member.
        (exit, stdout, stderr) = await RunOn(chain, "fault", "crash", "--target", "leader");
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        var crashed = Regex.Match(stdout, @"into sequencer (seq-\d{3}) \(leader of term (\d+)").Groups;
        Assert.True(crashed[1].Success, stdout);
        Assert.Equal("Crash", (await chain.Sequencer(crashed[1].Value).GetView()).Fault);
        var next = await Poll.Until(() => chain.Rotation.GetCurrent(), t => t is not null && t.LeaderId != crashed[1].Value,
            TimeSpan.FromSeconds(30), "a failover away from the crashed leader");
        Assert.True(next!.Term > ulong.Parse(crashed[2].Value));
        (exit, _, _) = await RunOn(chain, "fault", "--clear", "--target", crashed[1].Value);
        Assert.Equal(0, exit);
        Assert.Equal("None", (await chain.Sequencer(crashed[1].Value).GetView()).Fault);

        // Validators.
        (exit, stdout, _) = await RunOn(chain, "fault", "validator-offline", "--target", "val-01");
        Assert.Equal(0, exit);
        Assert.Contains("injected Offline into validator val-01", stdout);
        Assert.Equal("Offline", (await chain.Validator("val-01").GetView()).Fault);
        (exit, _, _) = await RunOn(chain, "fault", "none", "--target", "val-01");
        Assert.Equal(0, exit);
        Assert.Equal("None", (await chain.Validator("val-01").GetView()).Fault);

        // A fault of the wrong family, or an unknown target, is bad input and injects nothing.
        await AssertUsageError(RunOn(chain, "fault", "crash", "--target", "val-00"));
        await AssertUsageError(RunOn(chain, "fault", "false-challenge", "--target", "seq-000"));
        await AssertUsageError(RunOn(chain, "fault", "crash", "--target", "seq-404"));
        Assert.Equal("None", (await chain.Validator("val-00").GetView()).Fault);
        Assert.Equal("None", (await chain.Sequencer("seq-000").GetView()).Fault);
    }

    // ------------------------------------------------------------------------------------------------ verify

    [Fact]
    public async Task Verify_passes_on_an_honest_chain_and_exits_audit_failed_naming_a_bad_root_no_validator_challenged()
    {
        // One leader for the whole test (a long epoch): the injected fault is consumed by the block that carries the transaction.
        var chain = await Start("cli-verify", c => c.EpochLength = 400);
        var txs = new[] { chain.Transfer(1, 2, 5), chain.Transfer(3, 4, 6), chain.Transfer(1, 5, 7) };
        Assert.All(await chain.Submit(txs), r => Assert.Equal(AdmissionReason.Ok, r.Reason));
        foreach (var tx in txs) await chain.WaitForLevel(tx.Hash, TxLevel.SoftConfirmed);

        var (exit, stdout, stderr) = await RunOn(chain, "verify");
        Assert.True(exit == 0, stdout + stderr);
        Assert.Equal("", stderr);
        Assert.StartsWith($"chain {chain.Id} ({fixture.Gateway}): audit PASSED — heights 1..", stdout);
        var height = Number(stdout, @"heights 1\.\.(\d+) replayed");
        Assert.Equal(height, Number(stdout, @"replayed\s+(\d+) blocks"));
        Assert.Equal(height, Number(stdout, @"(\d+) certificates"));
        Assert.True(Number(stdout, @"(\d+) transactions") >= 3, stdout);
        Assert.Matches(@"supply\s+conserved: total", stdout);
        Assert.Contains("gaps             none", stdout);
        Assert.Equal((await chain.Chain.GetBlock(height))!.StateRoot.ToString(), Regex.Match(stdout, @"state root\s+(0x[0-9a-f]{64})").Groups[1].Value);

        (exit, stdout, stderr) = await RunOn(chain, "verify", "--json");
        Assert.True(exit == 0, stdout + stderr);
        using (var json = JsonDocument.Parse(stdout))
        {
            var report = json.RootElement;
            Assert.True(report.GetProperty("passed").GetBoolean());
            Assert.Equal(chain.Id, report.GetProperty("chainId").GetString());
            Assert.Equal(report.GetProperty("height").GetUInt64(), (ulong)report.GetProperty("blocks").GetInt32());
            Assert.True(report.GetProperty("height").GetUInt64() >= height);
            Assert.Equal(0, report.GetProperty("violations").GetArrayLength());
            Assert.True(report.GetProperty("elapsedMs").GetInt64() >= 0);
        }

        // Every validator offline: a wrong state root is never challenged, and it stays on the chain.
        foreach (var v in chain.Genesis.Validators) await chain.Validator(v.Id).InjectFault(ValidatorFaultKind.Offline);
        var leader = (await chain.Rotation.GetCurrent())!.LeaderId;
        await chain.Sequencer(leader).InjectFault(new SequencerFault(SequencerFaultKind.WrongStateRoot));
        var bad = chain.Transfer(6, 7, 8);
        Assert.Equal(AdmissionReason.Ok, (await chain.Submit(bad))[0].Reason);
        var badHeight = (await chain.WaitForLevel(bad.Hash, TxLevel.SoftConfirmed)).Height;
        var forgedRoot = Hash32.Sha256(Encoding.UTF8.GetBytes($"forged root {chain.Id} {badHeight}"));
        Assert.Equal(forgedRoot, (await chain.Chain.GetBlock(badHeight))!.StateRoot);

        (exit, stdout, stderr) = await RunOn(chain, "verify");
        Assert.True(exit == ExitCodes.AuditFailed, stdout + stderr);
        Assert.StartsWith($"chain {chain.Id} ({fixture.Gateway}): audit FAILED — 1 violation(s) in heights 1..", stdout);
        var row = Assert.Single(TableRows(stdout));
        Assert.Equal([badHeight.ToString(), "state-root-mismatch"], row[..2]);
        Assert.Contains("0x" + forgedRoot.ToHex()[..12], row[2]);
        Assert.Matches(@"supply\s+conserved", stdout); // the chain itself executed honestly: only the header lies
        Assert.Contains($"the first at height {badHeight}: state-root-mismatch", AssertOneErrorLine(stderr));
        foreach (var v in chain.Genesis.Validators) await chain.Validator(v.Id).InjectFault(ValidatorFaultKind.None);
    }

    // ------------------------------------------------------------------------------------------------ conventions

    public static TheoryData<string[]> BadInput => new()
    {
        new[] { "transfer", "--from-account", "1", "--amount", "5" },
        new[] { "transfer", "--from-account", "1", "--to-account", "2", "--to", "0x" + new string('1', 40), "--amount", "5" },
        new[] { "transfer", "--from-account", "one", "--to-account", "2", "--amount", "5" },
        new[] { "transfer", "--from-account", "-1", "--to-account", "2", "--amount", "5" },
        new[] { "transfer", "--from-account", "1", "--to-account", "2", "--amount", "five" },
        new[] { "transfer", "--from-account", "1", "--to", "0x1234", "--amount", "5" },
        new[] { "transfer", "--from-account", "1", "--to-account", "2", "--amount", "5", "--wait", "later" },
        new[] { "transfer", "--from-account", "1", "--to-account", "2", "--amount", "5", "--timeout", "9" },
        new[] { "tx", "0xnothex" },
        new[] { "tx" },
        new[] { "blocks", "--count", "0" },
        new[] { "blocks", "--from", "0" },
        new[] { "status", "--count", "2" },
        new[] { "status", "--watch", "--interval", "1" },
        new[] { "status", "--chain", "Not_A_Chain" },
        new[] { "status", "--gateway", "no-port-here" },
        new[] { "register-sequencer", "--id", "a/b", "--owner-sequencer", "seq-000", "--stake", "20000" },
        new[] { "register-sequencer", "--id", "x", "--owner-sequencer", "seq-000", "--stake", "0" },
        new[] { "stake", "delegate", "--owner-sequencer", "seq-000" },
        new[] { "delegate", "--owner-sequencer", "seq-000", "--amount", "0" },
        new[] { "claim", "--owner-sequencer", "seq-000", "--amount", "5" },
        new[] { "stake", "stake-everything" },
        new[] { "fault", "--target", "seq-001" },
        new[] { "fault", "meteor", "--target", "seq-001" },
        new[] { "fault", "slow", "--target", "seq-001" },
        new[] { "fault", "crash", "--target", "seq-001", "--delay", "5" },
        new[] { "fault", "censor", "--target", "seq-001" },
        new[] { "fault", "crash", "--target", "seq-001", "--clear" },
        new[] { "fault", "crash", "--target", "seq-001", "--repeat" },
        new[] { "verify", "--chain", "Not_A_Chain" },
        new[] { "verify", "--gateway", "no-port-here" },
        new[] { "verify", "--json", "yes" },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public async Task Bad_input_exits_2_with_one_error_line_and_nothing_on_stdout(string[] args) =>
        await AssertUsageError(Run(args));

    [Fact]
    public async Task Bad_input_found_in_the_cluster_exits_2_with_one_error_line()
    {
        var chain = await Start("cli-bad");
        await AssertUsageError(Run("status", "--gateway", fixture.Gateway, "--chain", "no-such-chain"));
        await AssertUsageError(Run("verify", "--gateway", fixture.Gateway, "--chain", "no-such-chain"));
        await AssertUsageError(RunOn(chain, "transfer", "--from-account", "64", "--to-account", "1", "--amount", "1"));
        await AssertUsageError(RunOn(chain, "transfer", "--from-account", "1", "--to-account", "640", "--amount", "1"));
        await AssertUsageError(RunOn(chain, "register-sequencer", "--id", "seq-x", "--owner-sequencer", "val-00", "--stake", "20000"));
        Assert.Equal((ulong)0, (await chain.Chain.GetAccounts([chain.Account(1).Address]))[0].Nonce);
    }

    [Fact]
    public async Task An_unreachable_gateway_exits_3_with_one_error_line()
    {
        var port = FreePort();
        var (exit, stdout, stderr) = await Run("status", "--gateway", $"127.0.0.1:{port}");
        Assert.Equal(3, exit);
        Assert.Equal("", stdout);
        var line = AssertOneErrorLine(stderr);
        Assert.Contains($"127.0.0.1:{port}", line);
    }

    [Fact]
    public async Task Without_a_gateway_status_runs_an_embedded_silo_with_the_default_chain()
    {
        var (exit, stdout, stderr) = await Run("status");
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        Assert.StartsWith("chain rollup-1 (embedded silo)", stdout);
        Assert.Contains("halted           no", stdout);
        Assert.NotEmpty(TableRows(stdout));
        Assert.All(TableRows(stdout), r => Assert.Contains(r[3], new[] { "Active", "Candidate", "Jailed" }));
    }

    [Fact]
    public async Task Without_a_gateway_verify_audits_the_embedded_default_chain()
    {
        var (exit, stdout, stderr) = await Run("verify");
        Assert.True(exit == 0, stdout + stderr);
        Assert.Equal("", stderr);
        Assert.StartsWith("chain rollup-1 (embedded silo): audit PASSED — heights 1..", stdout);
        Assert.Contains("gaps             none", stdout);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("transfer")]
    [InlineData("tx")]
    [InlineData("blocks")]
    [InlineData("register-sequencer")]
    [InlineData("stake")]
    [InlineData("stake", "unlock")]
    [InlineData("delegate")]
    [InlineData("unlock")]
    [InlineData("claim")]
    [InlineData("claim-rewards")]
    [InlineData("fault")]
    [InlineData("verify")]
    public async Task Every_command_has_help(params string[] command)
    {
        var (exit, stdout, stderr) = await Run([.. command, "--help"]);
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        Assert.Contains("Usage:", stdout);
        Assert.Contains(string.Join(' ', command), stdout);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private async Task<TestChain> Start(string name, Action<ChainConfig>? configure = null)
    {
        var chain = await TestChain.Start(fixture.Client, name, c =>
        {
            // A failover slashes the leader and moves stake: a timeout above a loaded machine's hiccups keeps them out.
            c.LeaderTimeoutMs = 5_000;
            configure?.Invoke(c);
        });
        _chains.Add(chain);
        return chain;
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> Run(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var exit = await Cli.RunAsync(args, stdout, stderr).WaitAsync(CommandTimeout);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private Task<(int Exit, string Stdout, string Stderr)> RunOn(TestChain chain, params string[] args) =>
        Run([.. args, "--gateway", fixture.Gateway, "--chain", chain.Id]);

    private static async Task AssertUsageError(Task<(int Exit, string Stdout, string Stderr)> run)
    {
        var (exit, stdout, stderr) = await run;
        Assert.True(exit == 2, $"exit {exit}; stdout: {stdout}; stderr: {stderr}");
        Assert.Equal("", stdout);
        AssertOneErrorLine(stderr);
    }

    private static string AssertOneErrorLine(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("error: ", line);
        return line;
    }

    private static ulong Number(string text, string pattern)
    {
        var match = Regex.Match(text, pattern);
        Assert.True(match.Success, $"'{pattern}' not found in: {text}");
        return ulong.Parse(match.Groups[1].Value);
    }

    /// <summary>The data rows of every plain-text (Markdown) table in <paramref name="text"/>, as trimmed cells.</summary>
    private static List<string[]> TableRows(string text)
    {
        var rows = new List<string[]>();
        bool header = true;
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith('|'))
            {
                header = true;
                continue;
            }
            var cells = line.Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            if (header)
            {
                header = false;
                continue;
            }
            if (cells.All(c => c.Length > 0 && c.Trim('-', ':').Length == 0)) continue;
            rows.Add(cells);
        }
        return rows;
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
