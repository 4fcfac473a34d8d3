using System.CommandLine;
using ActorRollup.Abstractions.Config;
using ActorRollup.Core.Blocks;
using ActorRollup.Harness.Connection;
using ActorRollup.Harness.LoadTest;
using ActorRollup.Harness.Options;

namespace ActorRollup.Harness.Commands;

/// <summary>
/// <c>rollup loadtest</c>: the project's main job. One run per committee size, each on a fresh chain with its own
/// genesis; signed traffic, faults, live progress; results.json, results.csv, summary.md and charts in --out.
/// Without options a small sweep (<see cref="LoadTestPreset.Sweep"/>), with --quick a smoke run; --compare overlays
/// earlier result folders instead of running load.
/// </summary>
public static class LoadTestCommand
{
    public static Command Create()
    {
        var gateway = ClusterOptions.Gateway();
        var quick = new Option<bool>("--quick")
        {
            Description = $"Smoke preset: committee {LoadTestPreset.Quick.Committee}, {Durations.Format(LoadTestPreset.Quick.Warmup)} warm-up, {Durations.Format(LoadTestPreset.Quick.Duration)} window, "
                + $"drain up to {Durations.Format(LoadTestPreset.Quick.Drain)} (well under a minute). Options given explicitly still win.",
        };
        var compare = new Option<string[]>("--compare")
        {
            Description = "Compare earlier result folders (each with results.json): charts and a table into --out; runs no load.",
            HelpName = "DIR",
            AllowMultipleArgumentsPerToken = true,
            Arity = ArgumentArity.OneOrMore,
        };
        var committee = new Option<string>("--committee") { Description = "Committee sizes, one run each (e.g. 4,16,64).", DefaultValueFactory = r => LoadTestPreset.For(r.GetValue(quick)).Committee };
        var validators = new Option<int>("--validators") { Description = "Validators per chain.", DefaultValueFactory = _ => 4 };
        var accounts = new Option<int>("--accounts") { Description = "Funded load-test accounts sending transactions.", DefaultValueFactory = _ => 2_000 };
        var rate = new Option<string>("--rate") { Description = "Offered transactions per second, or max.", DefaultValueFactory = _ => "max" };
        // The window's times default to the preset's (--quick or the default sweep); an explicit value always wins.
        var duration = Durations.Option("--duration", "Measured window (e.g. 30s).", BareUnit.Seconds, r => LoadTestPreset.For(r.GetValue(quick)).Duration, TimeSpan.FromMilliseconds(1));
        var warmup = Durations.Option("--warmup", "Warm-up before the window.", BareUnit.Seconds, r => LoadTestPreset.For(r.GetValue(quick)).Warmup, TimeSpan.Zero);
        var drain = Durations.Option("--drain", "Longest wait after the window for commits and finality.", BareUnit.Seconds, r => LoadTestPreset.For(r.GetValue(quick)).Drain, TimeSpan.Zero);
        var blockInterval = Durations.Option("--block-interval", "Block interval (e.g. 100ms).", BareUnit.Milliseconds, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(1));
        var epochLength = new Option<ulong>("--epoch-length") { Description = "Blocks per epoch.", DefaultValueFactory = _ => 100UL };
        var leaderTimeout = Durations.OptionalOption("--leader-timeout", "Leader timeout (failover after it). Default with the embedded silo: 400ms, or 8 x this machine's time to verify a full block's signatures if longer (at most 2s); 2s with --gateway: "
            + "silo processes and Redis sharing the cores make blocks slower, and spurious failovers jail the committee. With --network, per run, the longer of that and "
            + "round_up_100(3 x the committee's quorum round trip + 2 x the block interval), at most 10s (docs/NETWORK.md).", BareUnit.Milliseconds, TimeSpan.FromMilliseconds(1));
        var txFormat = new Option<string>("--tx-format")
        {
            Description = "Transaction format of the traffic: native (Ed25519) or eth (EIP-1559 type-2 transfers signed with secp256k1 by the "
                + "chain's Ethereum load-test accounts). eth also measures the secp256k1 recovery ceiling and compares committed tx/s with it.",
            DefaultValueFactory = _ => "native",
            HelpName = "native|eth",
        };
        var ordering = new Option<string>("--ordering") { Description = "fcfs or fee-priority.", DefaultValueFactory = _ => "fcfs" };
        var schedule = new Option<string>("--schedule") { Description = "weighted-round-robin or stake-lottery.", DefaultValueFactory = _ => "weighted-round-robin" };
        var faults = new Option<IReadOnlyList<FaultSpec>>("--faults")
        {
            Description = "Faults to fire, kind@time, comma-separated; the time counts from the start of traffic (warm-up included) and must "
                + $"fall within warm-up + duration (a bare number is seconds). Kinds: {string.Join(", ", FaultSpec.Kinds)}.",
            DefaultValueFactory = _ => [],
            CustomParser = result =>
            {
                var list = FaultSpec.TryParseList(OptionValues.SingleToken(result, "--faults") ?? "", out var faultError);
                if (list is null) result.AddError("--faults: " + faultError);
                return list ?? [];
            },
        };
        var seed = new Option<ulong>("--seed") { Description = "Seed of keys and schedules.", DefaultValueFactory = _ => 1UL };
        var output = new Option<string?>("--out") { Description = "Output folder (default results/<timestamp>, with --compare results/compare-<timestamp>)." };
        var workers = new Option<int>("--workers") { Description = "Load-generator workers (each owns a slice of accounts).", DefaultValueFactory = _ => 8 };
        var maxTx = new Option<int>("--max-tx-per-block") { Description = "Block size cap.", DefaultValueFactory = _ => 2_000 };
        var pipelineDepth = new Option<int>("--pipeline-depth") { Description = "Blocks a leader keeps in flight (proposed, not yet appended), 1..16; 1 = one block at a time.", DefaultValueFactory = _ => 4 };
        var chains = new Option<int>("--chains")
        {
            Description = $"Chains run side by side per committee size, each with its own genesis and committee and the same options (--rate is per chain), 1..{LoadTestOptions.MaxChains}. "
                + "Reports each chain and the aggregate; silo-kill, partition and heal fire once for the cluster.",
            DefaultValueFactory = _ => 1,
        };
        var retention = new Option<ulong?>("--history-retention")
        {
            Description = "Finalized blocks the chain keeps below its finalized height (0 = every block; at least Chain:CheckpointInterval otherwise). Default: 120 s of blocks at --block-interval, at least the checkpoint interval.",
            HelpName = "BLOCKS",
        };
        var mempool = new Option<int>("--mempool-capacity") { Description = "Mempool capacity (admission control; 0 = one full block).", DefaultValueFactory = _ => 0 };
        var state = ClusterOptions.State();
        var network = new Option<string?>("--network")
        {
            Description = "Network model between the nodes: aws (AWS inter-region round trips) or a JSON matrix file {\"rttMs\": {...}}. Embedded silo only; without it every call is at memory speed.",
            HelpName = "NAME|FILE",
        };
        var regions = new Option<string?>("--regions")
        {
            Description = "Members' regions (needs --network): R1:N1,R2:N2 (the first N1 members in id order to R1, ...; the counts add up to the committee size) or R1,R2,R3 (round-robin).",
            HelpName = "SPEC",
        };
        var validatorRegions = new Option<string?>("--validator-regions")
        {
            Description = "Validators' regions, same forms (counts add up to --validators); default the members' spread.",
            HelpName = "SPEC",
        };
        var clientRegion = new Option<string?>("--client-region") { Description = "The load generator's region; default the first of --regions.", HelpName = "REGION" };

        var command = new Command("loadtest", "Load-test committee sizes: throughput, latency, faults, with a report and charts.")
        {
            gateway, quick, compare, committee, validators, accounts, rate, duration, warmup, drain, blockInterval, epochLength, leaderTimeout,
            txFormat, ordering, schedule, faults, seed, output, workers, maxTx, pipelineDepth, chains, retention, mempool, state, network, regions, validatorRegions, clientRegion,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            if (parse.GetResult(compare) is { Implicit: false })
                return ResultComparison.Run(parse.GetValue(compare)!, parse.GetValue(output) ?? Path.Combine("results", "compare-" + DateTime.Now.ToString("yyyyMMdd-HHmmss")), stdout, stderr);
            var sizes = new List<int>();
            foreach (var part in parse.GetValue(committee)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!int.TryParse(part, out var n) || n < 1 || n > 1024) return Cli.Fail(stderr, $"--committee: '{part}' is not a size from 1 to 1024");
                sizes.Add(n);
            }
            if (sizes.Count == 0) return Cli.Fail(stderr, "--committee needs at least one size");
            int? offered = null;
            var rateText = parse.GetValue(rate)!;
            if (!rateText.Equals("max", StringComparison.OrdinalIgnoreCase))
            {
                if (!int.TryParse(rateText, out var r) || r < 1) return Cli.Fail(stderr, $"--rate must be a positive number or max, got '{rateText}'");
                offered = r;
            }
            var window = parse.GetValue(duration);
            var warm = parse.GetValue(warmup);
            var drainTime = parse.GetValue(drain);
            var orderingText = parse.GetValue(ordering)!;
            if (!OrderingPolicies.TryParse(orderingText, out var policy)) return Cli.Fail(stderr, $"--ordering must be {OrderingPolicies.Spellings}, got '{orderingText}'");
            if (!OrderingPolicies.IsImplemented(policy)) return Cli.Fail(stderr, $"--ordering {orderingText} is not implemented yet ({OrderingPolicies.ImplementedSpellings} are)");
            var formatText = parse.GetValue(txFormat);
            if (!LoadTestTxFormats.TryParse(formatText, out var format)) return Cli.Fail(stderr, $"--tx-format must be native or eth, got '{formatText}'");
            if (!Core.Scheduling.ScheduleAlgorithms.TryParse(parse.GetValue(schedule)!, out _)) return Cli.Fail(stderr, $"--schedule must be weighted-round-robin or stake-lottery");
            var faultList = parse.GetValue(faults)!;
            if (FaultSpec.PastTheEnd(faultList, warm, window) is { } lateFault) return Cli.Fail(stderr, lateFault);
            if (parse.GetValue(accounts) is < 1 or > 100_000) return Cli.Fail(stderr, "--accounts must be from 1 to 100000");
            if (parse.GetValue(validators) is < 1 or > 128) return Cli.Fail(stderr, "--validators must be from 1 to 128");
            if (parse.GetValue(workers) is < 1 or > 256) return Cli.Fail(stderr, "--workers must be from 1 to 256");
            if (parse.GetValue(maxTx) is < 1 or > 100_000) return Cli.Fail(stderr, "--max-tx-per-block must be between 1 and 100000");
            if (parse.GetValue(mempool) < 0) return Cli.Fail(stderr, "--mempool-capacity must be >= 0");
            if (parse.GetValue(chains) is < 1 or > LoadTestOptions.MaxChains) return Cli.Fail(stderr, $"--chains must be from 1 to {LoadTestOptions.MaxChains}");
            var gatewayList = parse.GetValue(gateway) ?? [];
            var net = LoadTestNetwork.TryCreate(parse.GetValue(network), parse.GetValue(regions), parse.GetValue(validatorRegions), parse.GetValue(clientRegion),
                gatewayList.Length > 0, sizes, parse.GetValue(validators), out var networkError);
            if (networkError is not null) return Cli.Fail(stderr, networkError);
            if (LoadTestNetwork.CheckFaults(faultList, net, sizes) is { } networkFaultError) return Cli.Fail(stderr, networkFaultError);

            var options = new LoadTestOptions
            {
                CommitteeSizes = sizes.ToArray(),
                Validators = parse.GetValue(validators),
                Accounts = parse.GetValue(accounts),
                Rate = offered,
                Duration = window,
                Warmup = warm,
                Drain = drainTime,
                BlockIntervalMs = (int)parse.GetValue(blockInterval).TotalMilliseconds,
                EpochLength = parse.GetValue(epochLength),
                LeaderTimeoutMs = (int?)parse.GetValue(leaderTimeout)?.TotalMilliseconds ?? ((parse.GetValue(gateway)?.Length ?? 0) > 0 ? 2_000 : null),
                Ordering = policy,
                TxFormat = format,
                Schedule = parse.GetValue(schedule)!,
                Faults = faultList,
                Seed = parse.GetValue(seed),
                Workers = parse.GetValue(workers),
                MaxTxPerBlock = parse.GetValue(maxTx),
                MempoolCapacity = parse.GetValue(mempool),
                PipelineDepth = parse.GetValue(pipelineDepth),
                Chains = parse.GetValue(chains),
                HistoryRetentionBlocks = parse.GetValue(retention),
                OutputDirectory = parse.GetValue(output) ?? Path.Combine("results", DateTime.Now.ToString("yyyyMMdd-HHmmss")),
                Gateways = gatewayList,
                Network = net,
                ClusterState = parse.GetValue(state)!,
                Preset = new Option[] { committee, warmup, duration, drain }.Any(o => parse.GetResult(o) is null or { Implicit: true })
                    ? LoadTestPreset.For(parse.GetValue(quick)).Name
                    : "",
            };
            if (SiloKill.Validate(options.Faults, options.Gateways, options.ClusterState) is { } killError) return Cli.Fail(stderr, killError);
            if (OutputFolder.Prepare(options.OutputDirectory) is { } outError) return Cli.Fail(stderr, outError);
            if (SiloKill.Warning(options.Faults, options.ClusterState) is { } killWarning) stdout.WriteLine("warning: " + killWarning);
            var chainCheck = options.CommitteeSizes.SelectMany(size => LoadTestRun.ConfigFor(options, "lt-check", size).Validate()).ToList();
            if (chainCheck.Count > 0) return Cli.Fail(stderr, $"{OptionOf(chainCheck[0])}: {chainCheck[0]}");

            await using var connection = await ClusterConnection.OpenAsync(options.Gateways, options.ClusterState, cancellationToken, net?.SiloOptions(options.Seed));
            var interactive = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;
            var driver = new LoadTestDriver(connection, options, stdout, interactive);
            var (report, _) = await driver.RunAsync("rollup " + string.Join(' ', parse.Tokens.Select(t => t.Value)), cancellationToken);
            return report.Runs.All(r => r.TxLost == 0 && r.TxDuplicated == 0 && r.SupplyConserved && r.Audit is { Passed: true }) ? ExitCodes.Success : ExitCodes.AuditFailed;
        });
        return command;
    }

    /// <summary>The loadtest option behind a chain setting a refused configuration names (the settings are the options'
    /// chain-side names), so the one error line starts with what the user typed.</summary>
    private static string OptionOf(string error) => error switch
    {
        _ when error.Contains("Chain:BlockIntervalMs") => "--block-interval",
        _ when error.Contains("Chain:LeaderTimeoutMs") || error.Contains("Chain:AttestationTimeoutMs") => "--leader-timeout",
        _ when error.Contains("Chain:EpochLength") || error.Contains("Chain:BatchSize") => "--epoch-length",
        _ when error.Contains("Chain:MaxTxPerBlock") => "--max-tx-per-block",
        _ when error.Contains("Chain:MempoolCapacity") => "--mempool-capacity",
        _ when error.Contains("Chain:PipelineDepth") => "--pipeline-depth",
        _ when error.Contains("Chain:HistoryRetentionBlocks") => "--history-retention",
        _ => "loadtest",
    };
}
