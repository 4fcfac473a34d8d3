using System.CommandLine;
using ActorRollup.Harness.Supervisor;
using ActorRollup.Silo;
using ActorRollup.Silo.Tls;

namespace ActorRollup.Harness.Connection;

/// <summary>
/// Which certificate the harness presents to a cluster's gateways, first match wins: the <c>--tls-cert</c>,
/// <c>--tls-key</c>, <c>--tls-ca</c> options (any command that reaches a cluster); <c>Cluster:Tls</c> of the
/// configuration (appsettings.json, ACTORROLLUP_Cluster__Tls__*); the client certificate of a local cluster whose
/// state folder (<c>--state</c>, default <c>.rollup-cluster</c>) records TLS, when the gateways asked for are that
/// cluster's (or, with Redis clustering and no --gateway, when that cluster is on Redis). Otherwise plain TCP.
/// </summary>
public static class HarnessTls
{
    private static readonly AsyncLocal<TlsSettings?> FromCommandLine = new();

    private static readonly TlsSettings.Names OptionNames = new("--tls-cert", "--tls-key", "--tls-password", "--tls-ca");

    /// <summary>The --tls-* options, on the root command and inherited by every subcommand.</summary>
    public static IReadOnlyList<Option<string?>> CreateOptions() =>
    [
        new("--tls-cert") { Description = "Client certificate (PEM, key in --tls-key; or .pfx/.p12) for a cluster with mutual TLS.", HelpName = "file", Recursive = true },
        new("--tls-key") { Description = "PEM private key of --tls-cert.", HelpName = "file", Recursive = true },
        new("--tls-ca") { Description = "PEM CA certificate the cluster's gateways must chain to.", HelpName = "file", Recursive = true },
    ];

    /// <summary>
    /// Reads the --tls-* options of a parsed command line: null when none is given; an error line when some are
    /// missing or their files cannot be used. The settings then hold for the rest of this command (<see cref="Apply"/>).
    /// </summary>
    public static (TlsSettings? Settings, string? Error) Read(ParseResult parse)
    {
        string? Value(string name) => parse.GetValue<string?>(name);
        var cert = Value("--tls-cert");
        var key = Value("--tls-key");
        var ca = Value("--tls-ca");
        if (cert is null && key is null && ca is null) return (null, null);
        if (cert is null || ca is null) return (null, "--tls-cert and --tls-ca go together (and --tls-key with a PEM certificate)");
        var settings = new TlsSettings { Enabled = true, Certificate = cert, Key = key ?? "", Ca = ca };
        var errors = settings.Validate(OptionNames);
        return errors.Count > 0 ? (null, errors[0]) : (settings, null);
    }

    /// <summary>Sets the command line's TLS settings for the command running in this async flow.</summary>
    public static void Apply(TlsSettings? settings) => FromCommandLine.Value = settings;

    /// <summary>The TLS a client of <paramref name="gateways"/> uses, and a few words on where it came from (null material: plain TCP).</summary>
    public static (TlsMaterial? Material, string Source) Resolve(ClusterSettings cluster, IReadOnlyList<string> gateways, string? stateFolder)
    {
        if (FromCommandLine.Value is { } options) return (ClusterTls.Load(options, OptionNames), "--tls-cert");
        if (cluster.Tls.Enabled) return (ClusterTls.Load(cluster.Tls), "Cluster:Tls");
        var folder = new ClusterStateFolder(stateFolder ?? ClusterStateFolder.DefaultFolder);
        ClusterRecord? record;
        try
        {
            record = folder.Load();
        }
        catch (ClusterStateException)
        {
            return (null, "plain TCP");
        }
        if (record?.Tls is not { } tls || LocalClusterTls.ClientSettings(tls) is not { } settings) return (null, "plain TCP");
        var ours = gateways.Count > 0
            ? gateways.Any(g => record.Silos.Any(s => GatewayPort(g) == s.GatewayPort))
            : cluster.RedisClustering && !record.LocalhostClustering;
        if (!ours) return (null, "plain TCP");
        try
        {
            return (ClusterTls.Load(settings), $"the certificate in {folder.TlsFolder}");
        }
        catch (TlsMaterialException e)
        {
            throw new ClusterUnreachableException($"the cluster recorded in {folder.Path} uses TLS, but its client certificate cannot be used: {e.Message}");
        }
    }

    private static int GatewayPort(string gateway) => ClusterConnection.TrySplitGateway(gateway, out _, out var port) ? port : -1;
}
