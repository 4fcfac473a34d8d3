using System.CommandLine;
using ActorRollup.Harness.Cluster;

namespace ActorRollup.Harness.Commands;

/// <summary>Options every cluster command shares: where the cluster is and which chain.</summary>
public static class ClusterOptions
{
    public static Option<string[]> Gateway() => new("--gateway")
    {
        Description = "Gateway host:port of a running cluster (repeatable). Without it, an embedded silo runs in this process.",
        HelpName = "host:port",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static Option<string?> Chain() => new("--chain")
    {
        Description = "Chain id (default: Chain:ChainId from appsettings.json).",
        HelpName = "id",
    };

    /// <summary>Opens the connection the options name; the embedded silo bootstraps the default chain when asked for it.</summary>
    public static Task<(ClusterConnection Connection, string ChainId)> ConnectAsync(ParseResult parse, Option<string[]> gateway, Option<string?> chain, CancellationToken cancellationToken) =>
        ConnectAsync(parse, parse.GetValue(gateway) ?? [], chain, cancellationToken);

    public static async Task<(ClusterConnection Connection, string ChainId)> ConnectAsync(ParseResult parse, IReadOnlyList<string> gateways, Option<string?> chain, CancellationToken cancellationToken)
    {
        var connection = await ClusterConnection.OpenAsync(gateways, cancellationToken);
        var chainId = parse.GetValue(chain);
        if (chainId is null || chainId == connection.DefaultChain.ChainId)
            chainId = connection.Embedded ? await connection.EnsureDefaultChainAsync() : connection.DefaultChain.ChainId;
        return (connection, chainId);
    }
}
