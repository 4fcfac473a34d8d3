using System.Globalization;
using ActorRollup.Harness.Supervisor;

namespace ActorRollup.Harness.Output;

/// <summary>
/// The silos of a cluster as text lines (no table, so it sits under any other output): what the state folder
/// recorded, each process checked for life, and what the cluster's own membership says (IManagementGrain).
/// </summary>
public static class ClusterView
{
    public static List<string> RecordLines(ClusterStateFolder folder, ClusterRecord record)
    {
        var lines = new List<string>
        {
            Terminal.Field("cluster", $"{record.Silos.Count} silos, {record.Clustering} clustering, {record.Storage} storage, cluster id {record.ClusterId}, " +
                                      $"up since {record.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)}"),
            Terminal.Field("  state", folder.Path),
            Terminal.Field("  transport", TransportLine(record)),
        };
        if (record.Network is { } network) lines.Add(Terminal.Field("  network", NetworkLine(network)));
        foreach (var silo in record.Silos.OrderBy(s => s.Instance))
            lines.Add(Terminal.Field($"  silo {silo.Instance}", $"pid {silo.Pid,-8} {(record.IsAlive(silo) ? "alive" : "DEAD "),-6} silo port {silo.SiloPort}   gateway {silo.Gateway}" +
                                                             (silo.Region is null ? "" : $"   region {silo.Region}") + $"   log {silo.Log}"));
        if (record.Redis is { } redis)
            lines.Add(Terminal.Field("  redis", $"pid {redis.Pid,-8} {(record.RedisAlive ? "alive" : "DEAD "),-6} port {redis.Port}   data {redis.DataDir}   log {redis.Log}"));
        if (!record.AnyAlive) lines.Add("  (no recorded process runs: `rollup cluster down` clears the record)");
        return lines;
    }

    /// <summary>The network model of a cluster in one line: model, members', validators' and client's regions.</summary>
    public static string NetworkLine(NetworkRecord n) =>
        $"{n.Model}   members {n.Regions}   validators {(n.ValidatorRegions.Length == 0 ? "(same spread)" : n.ValidatorRegions)}   " +
        $"client {(n.ClientRegion.Length == 0 ? "(first region)" : n.ClientRegion)}";

    /// <summary>"mutual TLS" or "plain TCP".</summary>
    public static string Transport(ClusterRecord record) => record.Tls is null ? "plain TCP" : "mutual TLS";

    private static string TransportLine(ClusterRecord record) => record.Tls is not { } tls
        ? "plain TCP"
        : $"mutual TLS ({tls.Source}): CA {tls.Ca}, silo certificate {tls.SiloCertificate}" +
          (tls.ClientCertificate is null ? "" : $", harness certificate {tls.ClientCertificate}");

    /// <summary>The cluster's membership as its silos see it (every entry, dead ones too), or null when it does not answer.</summary>
    public static async Task<MembershipEntry[]?> MembershipAsync(IGrainFactory grains)
    {
        try
        {
            return await grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: false).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            return null;
        }
    }

    public static List<string> MembershipLines(MembershipEntry[]? entries)
    {
        if (entries is null) return [Terminal.Field("membership", "the cluster did not answer (IManagementGrain.GetDetailedHosts)")];
        var active = entries.Count(e => e.Status == SiloStatus.Active);
        var dead = entries.Count(e => e.Status == SiloStatus.Dead);
        var lines = new List<string> { Terminal.Field("membership", $"{active} active, {dead} dead, {entries.Length - active - dead} other (the cluster's own view)") };
        foreach (var e in entries.OrderBy(e => e.SiloAddress.Endpoint.Port).ThenBy(e => e.SiloAddress.Generation))
            lines.Add($"  {e.SiloAddress.Endpoint,-22} " + $"{e.Status,-12} gateway port {e.ProxyPort,-6} generation {e.SiloAddress.Generation}   started {e.StartTime.ToUniversalTime():HH:mm:ss}Z   name {e.SiloName}");
        return lines;
    }
}
