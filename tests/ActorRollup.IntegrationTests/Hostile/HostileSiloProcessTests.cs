using System.Net;
using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Security;
using ActorRollup.Harness.Supervisor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorRollup.IntegrationTests.Hostile;

/// <summary>
/// The hostile sweep against a real silo process (<c>rollup cluster up --silos 1</c>) over its gateway, from a plain
/// Orleans client that holds no key: every internal and operator call is refused, and afterwards the configured chain
/// still produces blocks, its members' standings are unchanged, supply is conserved and <c>rollup verify</c> passes.
/// </summary>
[Collection(LocalClusterCollection.Name)]
public sealed class HostileSiloProcessTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("actorrollup-hostile-").FullName;

    public void Dispose()
    {
        var record = new ClusterStateFolder(_state).Load();
        foreach (var silo in record?.Silos ?? [])
            if (LocalProcess.IsAlive(silo.Pid, silo.ProcessStart)) LocalProcess.Kill(silo.Pid);
        Directory.Delete(_state, recursive: true);
    }

    [Fact]
    public async Task A_plain_client_over_the_gateway_changes_nothing_however_it_calls()
    {
        var siloBase = ClusterCommandTests.FreePortPair();
        var gatewayBase = ClusterCommandTests.FreePortPair(siloBase);
        var gateway = $"127.0.0.1:{gatewayBase}";
        var (exit, stdout, stderr) = await ClusterCommandTests.Run("cluster", "up", "--silos", "1",
            "--silo-port", siloBase.ToString(), "--gateway-port", gatewayBase.ToString(), "--state", _state);
        Assert.True(exit == 0, $"exit {exit}: {stderr}\n{stdout}");
        var record = new ClusterStateFolder(_state).Load()!;

        // A plain Orleans client: the contract assembly and a gateway address, nothing else.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(new IPEndPoint(IPAddress.Loopback, gatewayBase));
            client.Configure<Orleans.Configuration.ClusterOptions>(o =>
            {
                o.ClusterId = record.ClusterId;
                o.ServiceId = record.ServiceId;
            });
        });
        using var host = builder.Build();
        await host.StartAsync();
        var grains = host.Services.GetRequiredService<IClusterClient>();

        var chainId = (await Poll.Until(() => grains.ChainRegistryGrain().Latest(1), l => l.Length == 1, TimeSpan.FromSeconds(60), "the configured chain"))[0].ChainId;
        var genesis = (await grains.Chain(chainId).GetGenesis())!;
        await Poll.Until(() => grains.Chain(chainId).GetHead(), h => h.Height >= 5, TimeSpan.FromSeconds(60), "the chain's first blocks");
        var before = await HostileSweep.Standings(grains, chainId, genesis);

        var sweep = new HostileSweep(grains, chainId, genesis, seed: 11);
        await sweep.PrepareAsync();
        var calls = await sweep.RunAsync(variantsPerMethod: 2);
        var fenced = calls.Where(c => c.Class is CallerClass.Internal or CallerClass.Operator).ToList();
        Assert.NotEmpty(fenced);
        var through = fenced.Where(c => c.RefusalReason is null && c.Method.GetCustomAttributes(typeof(Orleans.Concurrency.OneWayAttribute), false).Length == 0).ToList();
        Assert.True(through.Count == 0, "not refused:\n" + string.Join("\n", through));
        var hung = calls.Where(c => c.Outcome.StartsWith("no answer", StringComparison.Ordinal)).ToList();
        Assert.True(hung.Count == 0, "unbounded:\n" + string.Join("\n", hung));

        var head = (await grains.Chain(chainId).GetHead()).Height;
        await Poll.Until(() => grains.Chain(chainId).GetHead(), h => h.Height >= head + 5, TimeSpan.FromSeconds(60), "five more blocks");
        Assert.Equal(before, await HostileSweep.Standings(grains, chainId, genesis));
        var supply = await grains.Chain(chainId).AuditSupply();
        Assert.True(supply.Conserved, $"supply: total {supply.Total} expected {supply.Expected}");
        await host.StopAsync();

        (exit, stdout, stderr) = await ClusterCommandTests.Run("verify", "--chain", chainId, "--gateway", gateway);
        Assert.True(exit == 0, $"verify exit {exit}: {stderr}\n{stdout}");
        (exit, _, stderr) = await ClusterCommandTests.Run("cluster", "down", "--state", _state);
        Assert.True(exit == 0, stderr);
    }
}
