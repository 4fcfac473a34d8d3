using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ActorRollup.Grains.Infrastructure;
using ActorRollup.Rpc;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace ActorRollup.IntegrationTests.Rpc;

/// <summary>
/// A one-silo TestingHost cluster whose silo serves JSON-RPC the way the silo host does (<see cref="RpcServiceCollectionExtensions.AddActorRollupRpc"/>)
/// on a port of 18500–18699, with small bounds to test (a batch of 20, a 64 KiB body). Its default chain is never
/// bootstrapped: each test serves its own chain at <c>/chain/{id}</c>.
/// </summary>
public sealed class RpcClusterFixture : IAsyncLifetime
{
    public const string DefaultChain = "rpc-default-unbooted";
    public static readonly RpcSettings Settings = new() { Port = 0, MaxBatchSize = 20, MaxRequestBytes = 64 * 1024, MaxFeeHistoryBlocks = 64 };

    public InProcessTestCluster Cluster { get; private set; } = null!;
    public IClusterClient Client => Cluster.Client;
    public int Port { get; } = RpcPorts.Next();
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        var port = Port;
        builder.ConfigureSilo((_, silo) =>
        {
            ActorRollup.Silo.RollupSilo.AddDurability(silo, redis: null);
            silo.Services.AddActorRollupGrains();
            silo.Configure<TrustOptions>(o =>
            {
                o.OperatorKey = TestCallers.OperatorKey;
                o.InternalKey = TestCallers.InternalKey;
            });
            silo.AddIncomingGrainCallFilter<TestFaults.DropFilter>();
            silo.AddIncomingGrainCallFilter<TestDeactivation.Filter>();
            silo.Services.AddActorRollupRpc(Settings, port, DefaultChain);
        });
        builder.ConfigureClient(client => client.AddOutgoingGrainCallFilter<TestCallers.Presenter>());
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        var hosted = Cluster.Silos[0].ServiceProvider.GetRequiredService<RpcHostedService>();
        if (hosted.Server is null) throw new InvalidOperationException($"the silo serves no JSON-RPC on port {port}");
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    /// <summary>A JSON-RPC client of one chain's path.</summary>
    public RpcClient For(string chainId) => new(Http, new Uri($"http://127.0.0.1:{Port}/chain/{chainId}"));

    public RpcClient Default => new(Http, new Uri($"http://127.0.0.1:{Port}/"));
}

[CollectionDefinition(Name)]
public sealed class RpcClusterCollection : ICollectionFixture<RpcClusterFixture>
{
    public const string Name = "rpc-cluster";
}

/// <summary>A bare JSON-RPC client over HTTP: it sends exactly the text it is given, and reads the answer as JSON.</summary>
public sealed class RpcClient(HttpClient http, Uri endpoint)
{
    private int _id;

    public Uri Endpoint => endpoint;

    /// <summary>Posts <paramref name="body"/>; the HTTP status and the parsed answer (default when the body is empty).</summary>
    public async Task<(int Status, JsonElement Answer, string Text)> PostAsync(string body)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(endpoint, content);
        var text = await response.Content.ReadAsStringAsync();
        var answer = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return ((int)response.StatusCode, answer, text);
    }

    /// <summary>One call; the whole response object.</summary>
    public async Task<JsonElement> RawAsync(string method, params object?[] parameters)
    {
        var request = JsonSerializer.Serialize(new { jsonrpc = "2.0", id = Interlocked.Increment(ref _id), method, @params = parameters });
        var (status, answer, text) = await PostAsync(request);
        Assert.True(status == 200, $"{method}: HTTP {status}: {text}");
        Assert.DoesNotContain("   at ", text); // never a stack trace
        return answer;
    }

    /// <summary>One call that must succeed; its result.</summary>
    public async Task<JsonElement> CallAsync(string method, params object?[] parameters)
    {
        var answer = await RawAsync(method, parameters);
        Assert.True(answer.TryGetProperty("result", out var result), $"{method}: {answer}");
        return result;
    }

    /// <summary>One call that must fail; its error object.</summary>
    public async Task<JsonElement> ErrorAsync(string method, params object?[] parameters)
    {
        var answer = await RawAsync(method, parameters);
        Assert.True(answer.TryGetProperty("error", out var error), $"{method}: expected an error, got {answer}");
        return error;
    }
}
