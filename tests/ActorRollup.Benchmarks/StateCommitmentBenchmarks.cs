using System.Security.Cryptography;
using ActorRollup.Core.Execution;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.State;
using BenchmarkDotNet.Attributes;

namespace ActorRollup.Benchmarks;

/// <summary>
/// PROTOCOL.md §3: updating the state root after a block must cost in proportion to the accounts the block
/// touched (times a log factor), never to all accounts. Each invocation applies one block's worth of account
/// updates (<see cref="Touched"/> accounts, a tenth of them new) to a tree of <see cref="Accounts"/> accounts and
/// computes the new root. The base tree is immutable, so every invocation starts from the same state.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
[MemoryDiagnoser]
public class StateCommitmentBenchmarks
{
    [Params(1_000, 10_000, 100_000, 1_000_000)]
    public int Accounts { get; set; }

    [Params(1_000)]
    public int Touched { get; set; }

    private StateTree _tree = StateTree.Empty;
    private KeyValuePair<Address, Account>[] _block = [];

    private static Address AddressOf(int i) => Address.FromBytes(SHA256.HashData(BitConverter.GetBytes(i))[..20]);

    [GlobalSetup]
    public void Setup()
    {
        _tree = StateTree.FromAccounts(Enumerable.Range(0, Accounts).Select(i => new KeyValuePair<Address, Account>(AddressOf(i), new Account(0, 1_000_000))));
        _ = _tree.Root; // hash the base tree once, as a running chain has
        var rng = new Random(42);
        _block = Enumerable.Range(0, Touched)
            .Select(i => i % 10 == 0 ? AddressOf(Accounts + i) : AddressOf(rng.Next(Accounts)))
            .Select(a => new KeyValuePair<Address, Account>(a, new Account(1, 999_000)))
            .ToArray();
    }

    [Benchmark(Description = "apply block + root")]
    public Hash32 ApplyBlockAndComputeRoot() => _tree.SetMany(_block).Root;
}
