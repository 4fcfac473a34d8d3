using System.Collections.Concurrent;
using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;
using ActorRollup.Grains.Infrastructure;
using ActorRollup.Silo;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace ActorRollup.IntegrationTests.Redis;

/// <summary>One redis-server for the durability collection; each test names its own Orleans service id (the Redis key prefix).</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    public RedisServer? Server { get; private set; }

    public async Task InitializeAsync()
    {
        if (RedisServer.SkipReason is null) Server = await RedisServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "redis";
}

/// <summary>In-process test clusters whose grain state and reminders live in Redis (Orleans' Redis providers).</summary>
internal static class DurableCluster
{
    public static async Task<InProcessTestCluster> StartAsync(string redis, string serviceId, int silos)
    {
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.Options.ServiceId = serviceId;
        builder.ConfigureSilo((_, silo) =>
        {
            RollupSilo.AddRollup(silo, redis, probeTimeout: TimeSpan.FromSeconds(1));
            silo.Configure<ActorRollup.Grains.Infrastructure.TrustOptions>(o =>
            {
                o.OperatorKey = TestCallers.OperatorKey;
                o.InternalKey = TestCallers.InternalKey;
            });
        });
        builder.ConfigureClient(client =>
        {
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
            client.AddOutgoingGrainCallFilter<TestCallers.Presenter>();
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>The silo that holds the current activation of <paramref name="grain"/>, if any.</summary>
    public static InProcessSiloHandle? HostOf(InProcessTestCluster cluster, IAddressable grain)
    {
        return cluster.TryGetGrainContext(grain.GetGrainId(), out var context) ? cluster.GetSiloForAddress(context.Address.SiloAddress!) as InProcessSiloHandle : null;
    }

    public static async Task KillAllAsync(InProcessTestCluster cluster)
    {
        foreach (var silo in cluster.GetActiveSilos().ToList()) await cluster.KillSiloAsync(silo);
        try
        {
            await cluster.DisposeAsync();
        }
        catch (Exception)
        {
            // The client of a cluster whose silos were all killed may complain on the way out; nothing to keep.
        }
    }
}

/// <summary>
/// Transfers submitted in a loop while the cluster is being hurt: a call that fails (its silo died) is retried with
/// the same signed transactions, and an answer on a retry that says the transaction is already known (Duplicate, or
/// its nonce used) counts it as admitted — the final check proves each was committed exactly once.
/// </summary>
internal sealed class Traffic(TestChain chain, int batch = 10)
{
    /// <summary>Transactions per account at most: below <c>Chain:MaxNonceGap</c> (64), so a stalled chain never turns the
    /// traffic's own back-log into NonceTooFarAhead refusals (which would leave nonce holes behind them).</summary>
    private const int PerAccount = 60;

    private readonly ConcurrentDictionary<Hash32, byte> _admitted = new();
    private readonly ConcurrentQueue<string> _refused = new();
    private int _failedCalls;

    public IReadOnlyCollection<Hash32> Admitted => (IReadOnlyCollection<Hash32>)_admitted.Keys;
    public IReadOnlyCollection<string> Refused => _refused;
    public int FailedCalls => _failedCalls;

    public async Task RunAsync(CancellationToken stop)
    {
        int next = 0;
        while (!stop.IsCancellationRequested && next + batch <= PerAccount * chain.AccountCount)
        {
            var txs = new Transaction[batch];
            for (int i = 0; i < batch; i++)
            {
                int from = next++ % chain.AccountCount;
                txs[i] = chain.Transfer(from, (from + 1) % chain.AccountCount, 1);
            }
            await SubmitUntilAnswered(txs);
            try
            {
                await Task.Delay(20, stop);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task SubmitUntilAnswered(Transaction[] txs)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        for (int attempt = 0; ; attempt++)
        {
            AdmissionResult[] results;
            try
            {
                results = await chain.Submit(txs).WaitAsync(TimeSpan.FromSeconds(12));
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                Interlocked.Increment(ref _failedCalls);
                await Task.Delay(200);
                continue;
            }
            for (int i = 0; i < txs.Length; i++)
            {
                var reason = results[i].Reason;
                if (reason == AdmissionReason.Ok || (attempt > 0 && reason is AdmissionReason.Duplicate or AdmissionReason.NonceUsed))
                    _admitted.TryAdd(txs[i].Hash, 0);
                else
                    _refused.Enqueue($"{txs[i].Hash} attempt {attempt}: {reason}");
            }
            return;
        }
    }
}

/// <summary>The "nothing lost" checks shared by the durability tests.</summary>
internal static class Ledger
{
    /// <summary>Waits until every admitted transaction is in the chain, then checks none is there twice and supply is conserved.</summary>
    public static async Task AssertEveryAdmittedCommittedOnce(TestChain chain, IReadOnlyCollection<Hash32> admitted, int seconds = 120)
    {
        var counts = new Dictionary<Hash32, int>();
        ulong scanned = 0;
        var missing = admitted.ToHashSet();
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var head = await chain.Chain.GetHead();
            for (ulong h = scanned + 1; h <= head.Height; h++)
            {
                var block = await chain.Chain.GetBlock(h) ?? throw new Xunit.Sdk.XunitException($"block {h} of {head.Height} is missing");
                foreach (var hash in block.TransactionHashes)
                {
                    counts[hash] = counts.GetValueOrDefault(hash) + 1;
                    missing.Remove(hash);
                }
                scanned = h;
            }
            if (missing.Count == 0) break;
            if (DateTime.UtcNow > deadline)
            {
                var stats = await chain.Mempool.GetStats();
                throw new Xunit.Sdk.XunitException($"{missing.Count} of {admitted.Count} admitted transaction(s) never committed by height {head.Height} " +
                    $"(mempool pending {stats.Pending}, e.g. {missing.First()})");
            }
            await Task.Delay(100);
        }
        var twice = counts.Where(kv => kv.Value > 1).ToList();
        Assert.True(twice.Count == 0, $"{twice.Count} transaction(s) committed more than once, e.g. {twice.FirstOrDefault().Key}");
        // AuditSupply reads the chain, then the pools, stakers and validators one call after another while the chain
        // keeps committing (it interleaves): a block finalized in between moves its fees from "in flight" to a pool
        // between the two reads and is counted twice for that one look. Conservation must hold at some look within
        // the deadline; a real leak or double credit fails every look.
        await Poll.Until(() => chain.Chain.AuditSupply(), a => a.Conserved, TimeSpan.FromSeconds(15), "supply conserved");
    }
}
