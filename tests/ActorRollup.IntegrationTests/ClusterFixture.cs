using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ActorRollup.Grains.Infrastructure;
using Orleans.TestingHost;

namespace ActorRollup.IntegrationTests;

/// <summary>
/// One two-silo in-process cluster shared by every test of the collection (memory storage, the grains' services).
/// Tests isolate themselves by chain id: every grain key starts with it.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    /// <summary>One file log shared by both silos (one writer, lines never interleave).</summary>
    private static readonly Lazy<ILoggerProvider?> TestLog = new(() =>
        Environment.GetEnvironmentVariable("ACTORROLLUP_TEST_LOG") is { Length: > 0 } path ? new ActorRollup.Harness.Connection.FileLoggerProvider(path) : null);

    public InProcessTestCluster Cluster { get; private set; } = null!;
    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            ActorRollup.Silo.RollupSilo.AddDurability(silo, redis: null);
            HeldWrites.Install(silo.Services); // a grain's state write held open on demand (HeldWrites)
            silo.Services.AddActorRollupGrains();
            silo.Configure<TrustOptions>(o =>
            {
                o.OperatorKey = TestCallers.OperatorKey;
                o.InternalKey = TestCallers.InternalKey;
            });
            silo.AddIncomingGrainCallFilter<TestFaults.DropFilter>(); // lost messages on demand (TestFaults)
            silo.AddIncomingGrainCallFilter<TestDeactivation.Filter>(); // a grain deactivated on demand (TestDeactivation)
            // ACTORROLLUP_TEST_LOG=<file>: the silos' ActorRollup log records (information and above) appended to a file,
            // for diagnosing a failing test; off by default.
            if (TestLog.Value is { } log)
                silo.Services.AddLogging(b => b.AddProvider(log)
                    .AddFilter<ActorRollup.Harness.Connection.FileLoggerProvider>("ActorRollup", LogLevel.Information)
                    .AddFilter<ActorRollup.Harness.Connection.FileLoggerProvider>("", LogLevel.Warning));
        });
        builder.ConfigureClient(client => client.AddOutgoingGrainCallFilter<TestCallers.Presenter>());
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
