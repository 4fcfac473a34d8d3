using System.CommandLine;
using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Harness.Connection;

namespace ActorRollup.Harness.Session;

/// <summary>
/// One command's connection to a chain: the cluster (embedded or over --gateway), the chain id, and the chain's
/// genesis (null when no such chain exists there — the command then reports bad input).
/// </summary>
public sealed class ChainSession : IAsyncDisposable
{
    private ChainSession(ClusterConnection connection, string chainId, ChainGenesis? genesis)
    {
        Connection = connection;
        ChainId = chainId;
        Genesis = genesis;
    }

    public ClusterConnection Connection { get; }
    public string ChainId { get; }
    public ChainGenesis? Genesis { get; }
    public IGrainFactory Grains => Connection.Grains;
    public IChainGrain Chain => Grains.Chain(ChainId);

    /// <summary>The one-line error for a chain that does not exist.</summary>
    public string MissingChain => $"chain '{ChainId}' does not exist on the {(Connection.Embedded ? "embedded silo" : "cluster at " + Connection.Where)}";

    public static Task<ChainSession> OpenAsync(ParseResult parse, Option<string[]> gateway, Option<string?> chain, CancellationToken cancellationToken) =>
        OpenAsync(parse, parse.GetValue(gateway) ?? [], chain, cancellationToken);

    /// <summary>The same, with the gateways given (status finds them in a local cluster's state folder when --gateway is absent).</summary>
    public static Task<ChainSession> OpenAsync(ParseResult parse, IReadOnlyList<string> gateways, Option<string?> chain, CancellationToken cancellationToken) =>
        OpenAsync(parse, gateways, chain, null, cancellationToken);

    /// <summary>The same, with the local cluster's state folder that may hold the cluster's TLS client certificate.</summary>
    public static async Task<ChainSession> OpenAsync(ParseResult parse, IReadOnlyList<string> gateways, Option<string?> chain, string? stateFolder, CancellationToken cancellationToken)
    {
        var (connection, chainId) = await ConnectAsync(parse, gateways, chain, stateFolder, cancellationToken);
        try
        {
            var genesis = await connection.Grains.Chain(chainId).GetGenesis();
            return new ChainSession(connection, chainId, genesis);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Opens the connection the options name; the embedded silo bootstraps the default chain when asked for it.</summary>
    public static Task<(ClusterConnection Connection, string ChainId)> ConnectAsync(ParseResult parse, IReadOnlyList<string> gateways, Option<string?> chain, CancellationToken cancellationToken) =>
        ConnectAsync(parse, gateways, chain, null, cancellationToken);

    public static async Task<(ClusterConnection Connection, string ChainId)> ConnectAsync(ParseResult parse, IReadOnlyList<string> gateways, Option<string?> chain, string? stateFolder,
        CancellationToken cancellationToken)
    {
        var connection = await ClusterConnection.OpenAsync(gateways, stateFolder, cancellationToken);
        var chainId = parse.GetValue(chain);
        if (chainId is null || chainId == connection.DefaultChain.ChainId)
            chainId = connection.Embedded ? await connection.EnsureDefaultChainAsync() : connection.DefaultChain.ChainId;
        return (connection, chainId);
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
