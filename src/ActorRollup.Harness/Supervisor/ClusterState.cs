using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActorRollup.Harness.Supervisor;

/// <summary>
/// One silo process started by <c>rollup cluster up</c>. The process start time is kept beside the pid because pids are
/// reused: a record only counts as alive while a process with that pid <em>and</em> that start time runs, so
/// <c>cluster down</c> can never signal an unrelated process that happens to get the same pid later.
/// </summary>
public sealed record SiloRecord
{
    [JsonPropertyName("instance")] public int Instance { get; init; }
    [JsonPropertyName("pid")] public int Pid { get; init; }
    [JsonPropertyName("siloPort")] public int SiloPort { get; init; }
    [JsonPropertyName("gatewayPort")] public int GatewayPort { get; init; }
    [JsonPropertyName("log")] public string Log { get; init; } = "";
    [JsonPropertyName("startedAt")] public DateTimeOffset StartedAt { get; init; }
    [JsonPropertyName("processStart")] public DateTimeOffset? ProcessStart { get; init; }
    /// <summary>When the silo logged its ready line (null while it is starting, or if it never did).</summary>
    [JsonPropertyName("readyAt")] public DateTimeOffset? ReadyAt { get; init; }
    /// <summary>The region the silo is (<c>Cluster:Region</c>, from <c>cluster up --regions</c> with a network); null: none.</summary>
    [JsonPropertyName("region")] public string? Region { get; init; }

    /// <summary>The address it listens on and advertises (its own loopback address with <c>cluster up --distinct-hosts</c>).</summary>
    [JsonPropertyName("address")] public string Address { get; init; } = "127.0.0.1";

    [JsonIgnore] public string Gateway => $"{Address}:{GatewayPort}";
}

/// <summary>The redis-server started by <c>cluster up --redis</c>: same pid-plus-start-time rule as <see cref="SiloRecord"/>.</summary>
public sealed record RedisRecord
{
    [JsonPropertyName("pid")] public int Pid { get; init; }
    [JsonPropertyName("port")] public int Port { get; init; }
    [JsonPropertyName("dataDir")] public string DataDir { get; init; } = "";
    [JsonPropertyName("log")] public string Log { get; init; } = "";
    [JsonPropertyName("startedAt")] public DateTimeOffset StartedAt { get; init; }
    [JsonPropertyName("processStart")] public DateTimeOffset? ProcessStart { get; init; }

    [JsonIgnore] public string ConnectionString => $"127.0.0.1:{Port}";
}

/// <summary>
/// The TLS files of a cluster (absolute paths): the CA every peer must chain to, the silos' certificate and key, and
/// — when <c>cluster up --tls</c> made them — the harness's client certificate and key, which harness commands use to
/// reach the cluster. Keys are owner-only files (0600) in <c>tls/</c> of the state folder.
/// </summary>
public sealed record TlsRecord
{
    /// <summary>"cluster up --tls" (files made in the state folder) or "Cluster:Tls" (the configured files).</summary>
    [JsonPropertyName("source")] public string Source { get; init; } = "";
    [JsonPropertyName("ca")] public string Ca { get; init; } = "";
    [JsonPropertyName("siloCertificate")] public string SiloCertificate { get; init; } = "";
    [JsonPropertyName("siloKey")] public string SiloKey { get; init; } = "";
    [JsonPropertyName("clientCertificate")] public string? ClientCertificate { get; init; }
    [JsonPropertyName("clientKey")] public string? ClientKey { get; init; }
}

/// <summary>
/// The network model the silos of a cluster run (docs/NETWORK.md, "A running cluster"): the <c>Network:*</c> settings
/// <c>cluster up</c> passed to every silo (a matrix file as an absolute path), so <c>status</c> can show each member's region.
/// </summary>
public sealed record NetworkRecord
{
    /// <summary>"aws" or the absolute path of a JSON matrix file.</summary>
    [JsonPropertyName("model")] public string Model { get; init; } = "";
    [JsonPropertyName("regions")] public string Regions { get; init; } = "";
    /// <summary>Empty: the same spread as <see cref="Regions"/>.</summary>
    [JsonPropertyName("validatorRegions")] public string ValidatorRegions { get; init; } = "";
    /// <summary>Empty: the first region of <see cref="Regions"/>.</summary>
    [JsonPropertyName("clientRegion")] public string ClientRegion { get; init; } = "";

    public Grains.Infrastructure.NetworkOptions ToOptions() => new()
    {
        Model = Model, Regions = Regions, ValidatorRegions = ValidatorRegions, ClientRegion = ClientRegion,
    };
}

/// <summary>Everything <c>cluster up</c> started, as <c>cluster.json</c> in the state folder (what down, status and the silo-kill fault read).</summary>
public sealed record ClusterRecord
{
    [JsonPropertyName("createdAt")] public DateTimeOffset CreatedAt { get; init; }
    /// <summary>Localhost (instance 0 is the primary the others join) or Redis.</summary>
    [JsonPropertyName("clustering")] public string Clustering { get; init; } = "Localhost";
    [JsonPropertyName("storage")] public string Storage { get; init; } = "Memory";
    [JsonPropertyName("clusterId")] public string ClusterId { get; init; } = "";
    [JsonPropertyName("serviceId")] public string ServiceId { get; init; } = "";
    [JsonPropertyName("siloDll")] public string SiloDll { get; init; } = "";
    [JsonPropertyName("silos")] public List<SiloRecord> Silos { get; init; } = [];
    [JsonPropertyName("redis")] public RedisRecord? Redis { get; init; }
    /// <summary>Set when the cluster speaks mutual TLS (null: plain TCP).</summary>
    [JsonPropertyName("tls")] public TlsRecord? Tls { get; init; }
    /// <summary>Set when the silos run a network model (null: every call at memory speed).</summary>
    [JsonPropertyName("network")] public NetworkRecord? Network { get; init; }

    [JsonIgnore] public bool LocalhostClustering => string.Equals(Clustering, "Localhost", StringComparison.OrdinalIgnoreCase);

    public bool IsAlive(SiloRecord silo) => LocalProcess.IsAlive(silo.Pid, silo.ProcessStart);
    [JsonIgnore] public bool RedisAlive => Redis is { } r && LocalProcess.IsAlive(r.Pid, r.ProcessStart);
    public IReadOnlyList<SiloRecord> AliveSilos() => Silos.Where(IsAlive).ToList();
    [JsonIgnore] public bool AnyAlive => RedisAlive || Silos.Any(IsAlive);
}

/// <summary>A state folder cannot be read (a damaged cluster.json): the message names the file and what is wrong.</summary>
public sealed class ClusterStateException(string message) : Exception(message);

/// <summary>
/// The state folder of a local cluster (default <c>.rollup-cluster</c> under the current directory): the record
/// <c>cluster.json</c>, one log per silo (<c>silo-N.log</c>), <c>redis.log</c>, and by default Redis' data
/// (<c>redis-data/</c>). The record is rewritten whole (write-then-rename) after every change, so a harness killed in
/// the middle of <c>cluster up</c> still leaves a record that <c>cluster down</c> can stop.
/// </summary>
public sealed class ClusterStateFolder(string path)
{
    public const string DefaultFolder = ".rollup-cluster";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public string Path { get; } = System.IO.Path.GetFullPath(path);
    public string RecordFile => System.IO.Path.Combine(Path, "cluster.json");
    public string SiloLog(int instance) => System.IO.Path.Combine(Path, $"silo-{instance}.log");
    public string RedisLog => System.IO.Path.Combine(Path, "redis.log");
    public string DefaultRedisData => System.IO.Path.Combine(Path, "redis-data");
    /// <summary>The CA and certificates <c>cluster up --tls</c> makes (<see cref="LocalClusterTls"/>).</summary>
    public string TlsFolder => System.IO.Path.Combine(Path, "tls");

    /// <summary>The record, or null when none is there.</summary>
    public ClusterRecord? Load()
    {
        if (!File.Exists(RecordFile)) return null;
        try
        {
            return JsonSerializer.Deserialize<ClusterRecord>(File.ReadAllText(RecordFile), Json)
                   ?? throw new ClusterStateException($"{RecordFile} is empty");
        }
        catch (JsonException e)
        {
            throw new ClusterStateException($"{RecordFile} is not a cluster record ({e.Message}); remove it if no cluster runs from it");
        }
    }

    public void Save(ClusterRecord record)
    {
        Directory.CreateDirectory(Path);
        var temporary = RecordFile + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(record, Json));
        File.Move(temporary, RecordFile, overwrite: true);
    }

    /// <summary>Removes the record (logs and Redis data stay, for reading after the fact).</summary>
    public void Clear()
    {
        if (File.Exists(RecordFile)) File.Delete(RecordFile);
    }

    /// <summary>
    /// The record if any process of it is still alive. A record whose every process is gone is stale: it is removed,
    /// and <paramref name="stale"/> returns it so the caller can say so.
    /// </summary>
    public ClusterRecord? LoadLive(out ClusterRecord? stale)
    {
        stale = null;
        var record = Load();
        if (record is null) return null;
        if (record.AnyAlive) return record;
        Clear();
        stale = record;
        return null;
    }
}
