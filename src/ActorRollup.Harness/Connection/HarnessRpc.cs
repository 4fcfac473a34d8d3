using System.CommandLine;

namespace ActorRollup.Harness.Connection;

/// <summary>
/// <c>--rpc-port N</c>: the embedded silo of this command serves Ethereum JSON-RPC on Rpc:Host (127.0.0.1) port N while
/// the command runs — the configured chain at <c>/</c>, any chain of the silo (a load test's, say) at <c>/chain/&lt;id&gt;</c>
/// (docs/JSON-RPC.md). Only with the embedded silo: a cluster's silos serve it themselves (Rpc:Port).
/// </summary>
public static class HarnessRpc
{
    private static readonly AsyncLocal<int?> FromCommandLine = new();

    public const string OptionName = "--rpc-port";

    public static Option<int?> CreateOption() => new(OptionName)
    {
        Description = "Serve Ethereum JSON-RPC from the embedded silo on this port while the command runs (docs/JSON-RPC.md).",
        HelpName = "port",
        Recursive = true,
    };

    /// <summary>The port asked for (null: none), or an error line.</summary>
    public static (int? Port, string? Error) Read(ParseResult parse)
    {
        var port = parse.GetValue<int?>(OptionName);
        if (port is null) return (null, null);
        if (port is < 1 or > 65_535) return (null, $"{OptionName} {port} is not a port (1-65535)");
        var gateways = parse.GetValue<string[]>("--gateway");
        if (gateways is { Length: > 0 })
            return (null, $"{OptionName} serves JSON-RPC from the embedded silo; a cluster's silos serve it themselves on Rpc:Port (8545 + instance)");
        return (port, null);
    }

    /// <summary>Sets the port for the command running in this async flow.</summary>
    public static void Apply(int? port) => FromCommandLine.Value = port;

    /// <summary>The port the embedded silo of this command serves JSON-RPC on, or null.</summary>
    public static int? Port => FromCommandLine.Value;
}
