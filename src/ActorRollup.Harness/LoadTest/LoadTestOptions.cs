using ActorRollup.Abstractions.Config;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Network;
using ActorRollup.Harness.Options;

namespace ActorRollup.Harness.LoadTest;

/// <summary>Everything one `loadtest` invocation runs with (one run per committee size).</summary>
public sealed record LoadTestOptions
{
    public int[] CommitteeSizes { get; init; } = [4];
    public int Validators { get; init; } = 4;
    public int Accounts { get; init; } = 2_000;
    /// <summary>Offered transactions per second; null = as fast as the chain takes them ("max").</summary>
    public int? Rate { get; init; }
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Longest wait after the window for admitted transactions to commit and finalize.</summary>
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(30);
    public int BlockIntervalMs { get; init; } = 100;
    public ulong EpochLength { get; init; } = 100;
    /// <summary>Leader timeout in ms; null = <see cref="MachineLeaderTimeoutMs"/>, derived once the ceilings are measured.</summary>
    public int? LeaderTimeoutMs { get; init; }

    /// <summary>The timeout the runs use (after <see cref="LoadTestDriver"/> has derived a missing one).</summary>
    public int EffectiveLeaderTimeoutMs => LeaderTimeoutMs ?? MinimumLeaderTimeoutMs;

    /// <summary>The embedded silo's leader timeout when none is given: at least the chain's default floor (1 s,
    /// ChainConfig.MinDefaultLeaderTimeoutMs; 400 ms failed a healthy leader over at half capacity in a 240 s run).</summary>
    public const int MinimumLeaderTimeoutMs = ActorRollup.Abstractions.Config.ChainConfig.MinDefaultLeaderTimeoutMs;

    /// <summary>
    /// The embedded default leader timeout for this machine: 1 s, or eight times the time this machine takes to verify
    /// a full block's signatures on all its cores (rounded up to 100 ms, at most 2 s), whichever is longer. At the
    /// maximum rate a leader's block round shares the cores with the admission of the next block's worth of
    /// transactions: measured on a 2-core VM verifying 19k–23k signatures a second, saturated 2,000-transaction blocks
    /// sometimes took 400–500 ms (once 1.2 s), so a fixed 400 ms failed healthy leaders over until a committee of 4 was
    /// jailed whole (a permanent halt); and a 240 s run at 5,000 tx/s (half capacity) saw a 410 ms gap from a healthy
    /// leader, hence the 1 s floor.
    /// </summary>
    /// <remarks>With --tx-format eth the signature ceiling is the secp256k1 recovery one (an Ethereum transaction's
    /// sender is recovered at admission, as a native signature is verified there).</remarks>
    public static int MachineLeaderTimeoutMs(double signatureChecksPerSec, int maxTxPerBlock)
    {
        if (!(signatureChecksPerSec > 0)) return 2_000;
        var ms = 8 * 1_000.0 * maxTxPerBlock / signatureChecksPerSec;
        var rounded = (int)Math.Min(2_000, Math.Ceiling(ms / 100) * 100);
        return Math.Max(MinimumLeaderTimeoutMs, rounded);
    }
    /// <summary>The network model of the runs (--network, --regions, ...); null = none, every call at memory speed.</summary>
    public LoadTestNetwork? Network { get; init; }

    /// <summary>The leader timeout of a run of <paramref name="committeeSize"/> when --leader-timeout was not given:
    /// without a network <paramref name="machineTimeoutMs"/>; with one the network rule (QuorumRtt.LeaderTimeoutMs,
    /// docs/NETWORK.md), never below the machine's.</summary>
    public int DefaultLeaderTimeoutMs(int committeeSize, int machineTimeoutMs) => Network is { } n
        ? QuorumRtt.LeaderTimeoutMs(n.QuorumRttMs(committeeSize), BlockIntervalMs, machineTimeoutMs)
        : machineTimeoutMs;

    /// <summary>How the traffic is encoded and signed (--tx-format): native (Ed25519) or eth (EIP-1559 type-2, secp256k1).</summary>
    public LoadTestTxFormat TxFormat { get; init; } = LoadTestTxFormat.Native;

    public OrderingPolicy Ordering { get; init; } = OrderingPolicy.Fcfs;
    public string Schedule { get; init; } = "weighted-round-robin";
    public IReadOnlyList<FaultSpec> Faults { get; init; } = [];
    public ulong Seed { get; init; } = 1;
    public string OutputDirectory { get; init; } = "";
    public int Workers { get; init; } = 8;
    public int BatchSize { get; init; } = 250;
    public string[] Gateways { get; init; } = [];
    /// <summary>Block size cap: a block must be produced, attested and appended well within the leader timeout.</summary>
    public int MaxTxPerBlock { get; init; } = 2_000;

    /// <summary>Mempool capacity: admission control. A bounded queue keeps latency bounded at saturation (the generator
    /// retries what back-pressure refused); 0 = one full block (measured best for both throughput and latency).</summary>
    public int MempoolCapacity { get; init; }

    /// <summary>Blocks a leader keeps in flight (Chain:PipelineDepth).</summary>
    public int PipelineDepth { get; init; } = 4;
    /// <summary>Finalized blocks the chain keeps below its finalized height (Chain:HistoryRetentionBlocks, --history-retention);
    /// 0 = every block; null = the load test's default (<see cref="LoadTestRun.RetentionFor"/>).</summary>
    public ulong? HistoryRetentionBlocks { get; init; }

    /// <summary>Chains run side by side per committee size (--chains), each with its own genesis and committee and the
    /// same options (the rate is per chain).</summary>
    public int Chains { get; init; } = 1;
    public const int MaxChains = 16;

    /// <summary>State folder of the local cluster (`rollup cluster up`) whose silos the silo-kill fault kills.</summary>
    public string ClusterState { get; init; } = Supervisor.ClusterStateFolder.DefaultFolder;

    /// <summary>The preset the defaults came from ("default sweep", "quick"), for the report's first line.</summary>
    public string Preset { get; init; } = "";
}

/// <summary>The load test's transaction formats (--tx-format; results.json <c>txFormat</c>).</summary>
public enum LoadTestTxFormat
{
    /// <summary>ActorRollup's own encoding, signed with Ed25519 by the Ed25519 load-test accounts.</summary>
    Native,
    /// <summary>Ethereum EIP-1559 (type 2) transfers, signed with secp256k1 by the Ethereum load-test accounts
    /// (<c>EthKey.Derive(LoadTestSeed, i)</c>) for the chain's <c>EthChainId</c>.</summary>
    Eth,
}

public static class LoadTestTxFormats
{
    /// <summary>The option's and results.json's spelling: "native" or "eth".</summary>
    public static string Name(this LoadTestTxFormat format) => format == LoadTestTxFormat.Eth ? "eth" : "native";

    /// <summary>"native" or "eth" (exactly, lower case); false for anything else.</summary>
    public static bool TryParse(string? text, out LoadTestTxFormat format)
    {
        format = text switch { "native" => LoadTestTxFormat.Native, "eth" => LoadTestTxFormat.Eth, _ => (LoadTestTxFormat)(-1) };
        return (int)format >= 0;
    }
}

/// <summary>A fault the run fires at a moment: "leader-crash@10s", or with an argument after ':' for the network faults
/// ("partition@10s:eu-west-1", "isolate@10s:leader").</summary>
public sealed record FaultSpec(string Kind, TimeSpan At, string Argument = "")
{
    public const string Partition = "partition";
    public const string Isolate = "isolate";
    public const string Heal = "heal";
    /// <summary>The argument of <c>isolate</c>, <c>silo-kill</c> and <c>silo-stop</c> that means whoever leads at that moment.</summary>
    public const string Leader = "leader";

    public static readonly string[] Kinds =
    [
        "leader-crash", "byzantine-root", "wrong-balance", "equivocation", "member-offline", "slow-leader",
        "censorship", "front-run", "reorder", "validator-offline", "false-challenge", SiloKill.Kind, SiloKill.StopKind, Partition, Isolate, Heal,
    ];

    /// <summary>The faults that act on the network model (they need <c>--network</c>).</summary>
    public static readonly string[] NetworkKinds = [Partition, Isolate, Heal];

    public bool IsNetwork => NetworkKinds.Contains(Kind);

    /// <summary>"kind@time" or "kind@time:argument", as given.</summary>
    public override string ToString() => $"{Kind}@{Durations.Format(At)}{(Argument.Length > 0 ? ":" + Argument : "")}";

    /// <summary>Parses "kind@10s,kind@2500ms,partition@5s:REGION,..."; null with an error naming the bad entry.</summary>
    public static IReadOnlyList<FaultSpec>? TryParseList(string text, out string error)
    {
        error = "";
        var list = new List<FaultSpec>();
        foreach (var raw in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var at = raw.IndexOf('@');
            if (at <= 0) { error = $"fault '{raw}' is not kind@time (e.g. leader-crash@10s)"; return null; }
            var kind = raw[..at];
            if (!Kinds.Contains(kind)) { error = $"unknown fault kind '{kind}' (known: {string.Join(", ", Kinds)})"; return null; }
            var rest = raw[(at + 1)..];
            var colon = rest.IndexOf(':');
            var argument = colon >= 0 ? rest[(colon + 1)..].Trim() : "";
            var timeText = colon >= 0 ? rest[..colon] : rest;
            if (Durations.Check($"the time of fault '{raw}'", timeText, BareUnit.Seconds, TimeSpan.Zero, null, out var time) is { } timeError) { error = timeError; return null; }
            switch (kind)
            {
                case Partition when argument.Length == 0:
                    error = $"fault '{raw}' needs the region to cut off: partition@time:REGION"; return null;
                case Isolate when argument.Length == 0:
                    error = $"fault '{raw}' needs the member to isolate: isolate@time:ID or isolate@time:leader"; return null;
                case SiloKill.Kind or SiloKill.StopKind when colon >= 0 && argument != Leader:
                    error = $"fault '{raw}': the only argument of {kind} is 'leader' ({kind}@time:leader takes the silo hosting the current leader)"; return null;
                case not (Partition or Isolate or SiloKill.Kind or SiloKill.StopKind) when colon >= 0:
                    error = $"fault '{raw}' takes no argument after ':' (only partition, isolate, silo-kill and silo-stop do)"; return null;
            }
            list.Add(new FaultSpec(kind, time, argument));
        }
        return list.OrderBy(f => f.At).ToList();
    }

    /// <summary>The error line for the first fault timed after the run's end (warm-up + window, counted from the start
    /// of traffic, as the run measures fault times), or null when every fault falls inside the run.</summary>
    public static string? PastTheEnd(IEnumerable<FaultSpec> faults, TimeSpan warmup, TimeSpan window)
    {
        var end = warmup + window;
        return faults.FirstOrDefault(f => f.At > end) is { } late
            ? $"--faults: fault '{late}' is after the run ends at {Durations.Format(end)} " +
              $"(fault times count from the start of traffic: warm-up {Durations.Format(warmup)} + window {Durations.Format(window)})"
            : null;
    }
}
