namespace ActorRollup.Rpc;

/// <summary>
/// The JSON-RPC endpoint's settings (section <c>Rpc</c>; docs/JSON-RPC.md, "Settings and bounds"). Like every setting they
/// can come from appsettings.json, the environment (ACTORROLLUP_Rpc__Port) or the command line (--Rpc:Port 8546).
/// </summary>
public sealed class RpcSettings
{
    /// <summary>Serve JSON-RPC at all (the silo; the harness's embedded silo serves it only with <c>--rpc-port</c>).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Base port: a silo listens on this plus its <c>Cluster:Instance</c> (8545, 8546, …), like the other ports.
    /// 0 = any free port (tests).</summary>
    public int Port { get; set; } = 8545;

    /// <summary>The IP address the endpoint listens on: loopback by default (the endpoint has no authentication of its
    /// own: every method it serves is one any client may call, docs/SECURITY.md).</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Largest request body accepted, in bytes (a larger one is answered with HTTP 413 and error -32600).</summary>
    public int MaxRequestBytes { get; set; } = 1_048_576;

    /// <summary>Most requests in one JSON-RPC batch (a longer batch is refused whole with -32600).</summary>
    public int MaxBatchSize { get; set; } = 100;

    /// <summary>Most blocks one <c>eth_feeHistory</c> covers (geth's bound).</summary>
    public int MaxFeeHistoryBlocks { get; set; } = 1024;

    /// <summary>Deepest JSON nesting accepted (deeper is a parse error, -32700).</summary>
    public const int MaxJsonDepth = 16;

    /// <summary>The port the silo with <paramref name="instance"/> listens on.</summary>
    public int EffectivePort(int instance) => Port == 0 ? 0 : Port + instance;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Port != 0 && Port is < 1024 or > 65_000) errors.Add("Rpc:Port must be 0 (any free port) or between 1024 and 65000");
        if (!System.Net.IPAddress.TryParse(Host ?? "", out _)) errors.Add($"Rpc:Host '{Host}' is not an IP address (e.g. 127.0.0.1, or 0.0.0.0 for every interface)");
        if (MaxRequestBytes is < 1_024 or > 64 * 1_048_576) errors.Add("Rpc:MaxRequestBytes must be between 1024 and 67108864");
        if (MaxBatchSize is < 1 or > 10_000) errors.Add("Rpc:MaxBatchSize must be between 1 and 10000");
        if (MaxFeeHistoryBlocks is < 1 or > 10_000) errors.Add("Rpc:MaxFeeHistoryBlocks must be between 1 and 10000");
        return errors;
    }
}
