using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ActorRollup.Rpc;

/// <summary>
/// The JSON-RPC endpoint over HTTP (Kestrel): <c>POST /</c> serves the silo's configured chain, <c>POST /chain/{id}</c>
/// any chain of the cluster. It reaches the grains through the <see cref="IGrainFactory"/> it is given — in a silo, the
/// silo's own (a hosted client: it calls as a plain client would, public methods only).
/// </summary>
public sealed class RpcServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RpcServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>Where the endpoint listens (the port chosen when the settings asked for 0).</summary>
    public Uri Address { get; }

    public int Port => Address.Port;

    public static async Task<RpcServer> StartAsync(IGrainFactory grains, RpcSettings settings, int port, string defaultChainId,
        ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(settings);
        logger ??= NullLogger.Instance;
        // A bare web host: no configuration files or environment (the silo's settings are the Rpc section), no logging of
        // its own (the silo's logger reports what matters).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o =>
        {
            o.AddServerHeader = false;
            o.Limits.MaxRequestBodySize = (long)settings.MaxRequestBytes * DrainFactor;
            o.Listen(IPAddress.Parse(settings.Host), port);
        });
        var app = builder.Build();
        var dispatcher = new JsonRpcDispatcher(new EthApi(grains, settings).Methods(), settings, logger);
        app.MapPost("/", context => Serve(context, dispatcher, settings, defaultChainId));
        app.MapPost("/chain/{chainId}", context => Serve(context, dispatcher, settings, (string)context.Request.RouteValues["chainId"]!));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RpcServer(app, new Uri(address));
    }

    private static async Task Serve(HttpContext context, JsonRpcDispatcher dispatcher, RpcSettings settings, string chainId)
    {
        var body = await ReadBody(context.Request, settings.MaxRequestBytes, context.RequestAborted);
        JsonNode? answer;
        if (body is null)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            answer = JsonRpcDispatcher.Error(null, RpcErrors.InvalidRequest, $"request body larger than Rpc:MaxRequestBytes ({settings.MaxRequestBytes} bytes)");
        }
        else
        {
            answer = await dispatcher.HandleAsync(body.Value, chainId, context.RequestAborted);
        }
        if (answer is null)
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent; // notifications only: nothing to answer
            return;
        }
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        answer.WriteTo(writer);
    }

    /// <summary>The body, or null when it is longer than <paramref name="limit"/>. An oversized body is still read (and
    /// dropped) up to <see cref="DrainFactor"/> × the limit, so the client gets the 413 answer rather than a reset
    /// connection; Kestrel refuses beyond that.</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBody(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream(request.ContentLength is { } length && length <= limit ? (int)length : 4_096);
        var chunk = new byte[16_384];
        bool over = request.ContentLength > limit;
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (over || buffer.Length + read > limit)
                {
                    over = true;
                    continue;
                }
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
        // Not a conditional expression: its null would become an empty Memory (through the array conversion), not null.
        if (over) return null;
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    /// <summary>How much of an oversized body is read before the connection is refused (Kestrel's MaxRequestBodySize).</summary>
    private const int DrainFactor = 4;

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
        }
        await _app.DisposeAsync();
    }
}

/// <summary>
/// Runs the endpoint inside a host (the silo): started with the host, stopped with it. A port that cannot be bound is
/// logged as an error and the silo runs on without JSON-RPC (docs/JSON-RPC.md, "Settings").
/// </summary>
public sealed class RpcHostedService(IGrainFactory grains, RpcHostOptions options, ILogger<RpcHostedService> logger) : IHostedService
{
    private RpcServer? _server;

    public RpcServer? Server => _server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _server = await RpcServer.StartAsync(grains, options.Settings, options.Port, options.ChainId, logger, cancellationToken);
            logger.LogInformation("JSON-RPC on {Address} (chain {Chain}, Ethereum chain id from its genesis; /chain/<id> for another chain)",
                _server.Address, options.ChainId);
        }
        catch (IOException e)
        {
            logger.LogError("JSON-RPC not served: cannot listen on {Host}:{Port} ({Error}); set Rpc:Port (or Rpc:Enabled false)",
                options.Settings.Host, options.Port, e.Message);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}

/// <summary>What <see cref="RpcHostedService"/> serves: the settings, the port (instance applied) and the default chain.</summary>
public sealed record RpcHostOptions(RpcSettings Settings, int Port, string ChainId);

public static class RpcServiceCollectionExtensions
{
    /// <summary>Serves JSON-RPC from this host while it runs (the silo host and the harness's embedded silo).</summary>
    public static IServiceCollection AddActorRollupRpc(this IServiceCollection services, RpcSettings settings, int port, string chainId)
    {
        services.AddSingleton(new RpcHostOptions(settings, port, chainId));
        services.AddSingleton<RpcHostedService>();
        services.AddHostedService(sp => sp.GetRequiredService<RpcHostedService>());
        return services;
    }
}
