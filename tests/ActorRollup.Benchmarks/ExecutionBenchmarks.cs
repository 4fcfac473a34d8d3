using ActorRollup.Core.Crypto;
using ActorRollup.Core.Execution;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.State;
using ActorRollup.Core.Transactions;
using BenchmarkDotNet.Attributes;

namespace ActorRollup.Benchmarks;

/// <summary>
/// The core's share of a transaction's hot path: executing a block of signed transfers (state root included),
/// and verifying a transfer's signature (the cost admission and validation pay per transaction).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
[MemoryDiagnoser]
public class ExecutionBenchmarks
{
    private const string ChainId = "bench";
    [Params(1_000)]
    public int BlockSize { get; set; }

    private StateTree _state = StateTree.Empty;
    private Transaction[] _txs = [];
    private readonly Address _feeVault = Address.Parse("0x00000000000000000000000000000000000fee00");

    [GlobalSetup]
    public void Setup()
    {
        var keys = Genesis.LoadTestKeys("bench", 2_000);
        _state = Genesis.BuildState(keys.Select(k => new GenesisAccount(k.Address, Token.FromTokens(1_000))));
        _ = _state.Root;
        _txs = Enumerable.Range(0, BlockSize)
            .Select(i => Transaction.Create(keys[i], ChainId, keys[(i + 1_000) % keys.Length].Address, 1_000, 0, 1_000_000_000))
            .ToArray();
    }

    [Benchmark(Description = "execute block + root")]
    public Hash32 ExecuteBlock() => BlockExecutor.Execute(_state, _txs, _feeVault, new ActorRollup.Core.ChainParameters { ChainId = ChainId }).PostState.Root;

    [Benchmark(Description = "verify 1 signature", OperationsPerInvoke = 1)]
    public bool VerifyOneSignature() => _txs[0].VerifySignature();

    [Benchmark(Description = "decode 1 transaction")]
    public Transaction DecodeOne() => TransactionCodec.Decode(_txs[0].Encoded);
}
