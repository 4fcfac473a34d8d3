using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;

namespace ActorRollup.IntegrationTests;

/// <summary>A chain bootstrapped for one test, with fast parameters and helpers to sign and submit transfers.</summary>
internal sealed class TestChain
{
    private static int _counter;
    private readonly SigningKey[] _accounts;
    private readonly ulong[] _nonces;

    private TestChain(IClusterClient client, ChainGenesis genesis, SigningKey[]? accounts = null, ulong[]? nonces = null)
    {
        Client = client;
        Genesis = genesis;
        _accounts = accounts ?? Core.Execution.Genesis.LoadTestKeys(genesis.LoadTestSeed, genesis.LoadTestAccounts);
        _nonces = nonces ?? new ulong[_accounts.Length];
    }

    /// <summary>The same chain (keys and next nonces) through another cluster client — e.g. after a full restart.</summary>
    public TestChain Through(IClusterClient client) => new(client, Genesis, _accounts, _nonces);

    public int AccountCount => _accounts.Length;

    public IClusterClient Client { get; }
    /// <summary>The genesis this test bootstrapped, with its secret node-key seed (the chain publishes it without).</summary>
    public ChainGenesis Genesis { get; }
    /// <summary>The secret seed of the members' keys: the test acts as the chain's operator, who can derive it.</summary>
    public string NodeKeySeed => Genesis.NodeKeySeed!;
    public string Id => Genesis.Config.ChainId;
    public ChainConfig Config => Genesis.Config;
    public IChainGrain Chain => Client.Chain(Id);
    public IRotationGrain Rotation => Client.Rotation(Id);
    public IMempoolGrain Mempool => Client.Mempool(Id);
    public ISettlementGrain Settlement => Client.Settlement(Id);
    public IAdmissionGrain Admission => Client.GetGrain<IAdmissionGrain>(Id);
    public SigningKey Account(int i) => _accounts[i];
    public ISequencerGrain Sequencer(string id) => Client.Sequencer(Id, id);
    public IValidatorGrain Validator(string id) => Client.Validator(Id, id);

    /// <summary>Fast defaults: 50 ms blocks, 20-block epochs, 5-block batches, 10-block challenge window, 1 s leader timeout.</summary>
    public static ChainConfig FastConfig(string name) => new()
    {
        ChainId = $"{name}-{Interlocked.Increment(ref _counter)}-{Guid.NewGuid().ToString("N")[..6]}",
        BlockIntervalMs = 50,
        EpochLength = 20,
        BatchSize = 5,
        ChallengeWindow = 10,
        LeaderTimeoutMs = 1_000,
        CommitteeSize = 8,
        AllowFaultInjection = true,
    };

    /// <remarks><paramref name="firstMember"/>: the members are seq-NNN from that number on (the network tests place
    /// members in regions by that number).</remarks>
    public static async Task<TestChain> Start(IClusterClient client, string name, Action<ChainConfig>? configure = null,
        ulong[]? stakes = null, int validators = 4, int accounts = 64, string? nodeKeySeed = null, string loadTestSeed = "it/loadtest",
        int firstMember = 0, int ethAccounts = 0, ulong tkn = 0, ulong poolNative = 0, ulong poolTkn = 0)
    {
        var config = FastConfig(name);
        configure?.Invoke(config);
        // No single member holds a third of the stake: one crashed member never halts the chain.
        stakes ??= [30_000, 28_000, 26_000, 24_000, 22_000];
        var genesis = new ChainGenesis
        {
            Config = config,
            Sequencers = stakes.Select((s, i) => new GenesisSequencer($"seq-{i + firstMember:D3}", s)).ToArray(),
            Validators = Enumerable.Range(0, validators).Select(i => new GenesisValidator($"val-{i:D2}", 10_000)).ToArray(),
            LoadTestAccounts = accounts,
            LoadTestEthAccounts = ethAccounts,
            LoadTestAccountTokens = 1_000,
            LoadTestAccountTkn = tkn,
            PoolNativeTokens = poolNative,
            PoolTkn = poolTkn,
            LoadTestSeed = loadTestSeed,
            // As the silo's configured chain gets it without Genesis:NodeKeySeed: derived from the operator key, so the
            // harness commands (which hold the test cluster's operator key) can sign as genesis owners.
            NodeKeySeed = nodeKeySeed ?? GenesisKeys.NodeKeySeedFromOperatorKey(TestCallers.OperatorKey, config.ChainId),
            GenesisTimeMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        };
        AppendResult result;
        using (TestCallers.AsOperator()) result = await client.Chain(config.ChainId).Bootstrap(genesis);
        Assert.True(result.Ok, $"bootstrap: {result.Reason} {result.Detail}");
        return new TestChain(client, genesis);
    }

    public Transaction Transfer(int from, int to, UInt128 value, ulong? gasPrice = null)
    {
        var tx = Transaction.Create(_accounts[from], Id, _accounts[to].Address, value, _nonces[from], gasPrice ?? Config.MinGasPrice);
        _nonces[from]++;
        return tx;
    }

    public async Task<AdmissionResult[]> Submit(params Transaction[] txs) => await Admission.Submit(txs.Select(t => t.Encoded).ToArray());

    public Task<ChainStatus> Status() => Chain.GetStatus();

    public Task<ChainHead> WaitForHeight(ulong height, int seconds = 30) =>
        Poll.Until(() => Chain.GetHead(), h => h.Height >= height, TimeSpan.FromSeconds(seconds), $"height {height} on {Id}");

    public async Task<TxStatus> WaitForLevel(Hash32 tx, TxLevel level, int seconds = 30) =>
        await Poll.Until(() => Chain.GetTxStatus(tx), s => s.Level >= level, TimeSpan.FromSeconds(seconds), $"{tx} to reach {level}");
}
