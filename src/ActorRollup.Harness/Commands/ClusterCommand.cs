using System.CommandLine;
using ActorRollup.Harness.Connection;
using ActorRollup.Harness.Options;
using ActorRollup.Harness.Supervisor;
using ActorRollup.Harness.LoadTest;
using ActorRollup.Harness.Output;

namespace ActorRollup.Harness.Commands;

/// <summary>
/// <c>rollup cluster up|down|status</c>: a local cluster of silo processes (and with <c>--redis</c> a redis-server for
/// clustering, grain storage and reminders) that runs in the background after the command returns, recorded in a
/// state folder so that <c>down</c>, <c>status</c> and the loadtest's <c>silo-kill</c> fault find it again.
/// </summary>
public static class ClusterCommand
{
    public static Command Create()
    {
        var command = new Command("cluster", "Start, stop and inspect a local cluster of silo processes (optionally on Redis).");
        command.Subcommands.Add(Up());
        command.Subcommands.Add(Down());
        command.Subcommands.Add(Status());
        return command;
    }

    private static Command Up()
    {
        var state = ClusterOptions.State();
        var silos = new Option<int>("--silos")
        {
            Description = "Number of silos (instance N listens on silo port base+N and gateway port base+N).",
            DefaultValueFactory = _ => 3,
            CustomParser = OptionValues.Int("--silos", 1, 20),
        };
        var redis = new Option<bool>("--redis") { Description = "Also start a local redis-server and use it for clustering, grain storage and reminders." };
        var redisPort = new Option<int>("--redis-port")
        {
            Description = "Port of the redis-server.", DefaultValueFactory = _ => 6379, CustomParser = OptionValues.Int("--redis-port", 1024, 65535),
        };
        var redisData = new Option<string?>("--redis-data") { Description = "Redis' data folder (default: redis-data in the state folder).", HelpName = "dir" };
        var siloPort = new Option<int?>("--silo-port")
        {
            Description = "Base silo port (default Cluster:SiloPort, 11111).", CustomParser = r => OptionValues.Int("--silo-port", 1024, 65000)(r),
        };
        var gatewayPort = new Option<int?>("--gateway-port")
        {
            Description = "Base gateway port (default Cluster:GatewayPort, 30000).", CustomParser = r => OptionValues.Int("--gateway-port", 1024, 65000)(r),
        };
        var timeout = Durations.Option("--timeout", "Longest wait for each process to be ready (default 90s).", BareUnit.Seconds,
            TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(1));

        var distinctHosts = new Option<bool>("--distinct-hosts")
        {
            Description = "Put silo N on its own loopback address 127.0.0.(N+1) (listen and advertise; needs --redis, Linux): silos as on separate hosts.",
        };
        var tls = new Option<bool>("--tls")
        {
            Description = "Mutual TLS on every connection: a CA and certificates made in the state folder (tls/), the silos started with them; harness commands find them there.",
        };
        var network = new Option<string?>("--network")
        {
            Description = "Network model every silo runs (docs/NETWORK.md): 'aws' or a JSON matrix file; default the Network:Model setting (none: memory speed).",
            HelpName = "aws|file",
        };
        var regions = new Option<string?>("--regions")
        {
            Description = "Members' regions in id order: R1:N1,R2:N2 (counts wrap: a silo does not know a chain's committee size) or R1,R2,R3 round-robin. Silo i is region i of the list (Cluster:Region; round-robin with more silos than regions).",
            HelpName = "spec",
        };
        var validatorRegions = new Option<string?>("--validator-regions") { Description = "Validators' regions, same forms (default: the same spread).", HelpName = "spec" };
        var clientRegion = new Option<string?>("--client-region") { Description = "The client's region (default: the first of --regions).", HelpName = "region" };
        var command = new Command("up", "Start local silos in the background and return once every one is ready.")
        {
            state, silos, redis, redisPort, redisData, siloPort, gatewayPort, timeout, tls, network, regions, validatorRegions, clientRegion, distinctHosts,
        };
        command.Validators.Add(result =>
        {
            if (!result.GetValue(redis) && (result.GetResult(redisPort) is { Implicit: false } || result.GetResult(redisData) is not null))
                result.AddError("--redis-port and --redis-data need --redis");
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var folder = new ClusterStateFolder(parse.GetValue(state)!);
            var options = new ClusterUpOptions
            {
                Silos = parse.GetValue(silos),
                Redis = parse.GetValue(redis),
                RedisPort = parse.GetValue(redisPort),
                RedisData = parse.GetValue(redisData),
                SiloPort = parse.GetValue(siloPort),
                GatewayPort = parse.GetValue(gatewayPort),
                Timeout = parse.GetValue(timeout),
                Tls = parse.GetValue(tls),
                Network = parse.GetValue(network),
                Regions = parse.GetValue(regions),
                ValidatorRegions = parse.GetValue(validatorRegions),
                ClientRegion = parse.GetValue(clientRegion),
                DistinctHosts = parse.GetValue(distinctHosts),
            };
            return await Guard(stderr, async () =>
            {
                var record = await new LocalCluster(folder, stdout).UpAsync(options, cancellationToken);
                stdout.WriteLine($"cluster up: {record.Silos.Count} silos ({record.Clustering} clustering, {record.Storage} storage, {ClusterView.Transport(record)}), state in {folder.Path}");
                if (record.Network is { } net) stdout.WriteLine("network: " + ClusterView.NetworkLine(net));
                stdout.WriteLine("gateways: " + string.Join(' ', record.Silos.Select(s => "--gateway " + s.Gateway)));
                return ExitCodes.Success;
            });
        });
        return command;
    }

    private static Command Down()
    {
        var state = ClusterOptions.State();
        var timeout = Durations.Option("--timeout", "Longest wait for each process to stop after SIGTERM before it is killed (default 30s).",
            BareUnit.Seconds, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(1));
        var instance = new Option<int?>("--instance")
        {
            Description = "Stop only this silo (SIGTERM: its grains move to the others); the rest and the record stay.",
            CustomParser = r => OptionValues.Int("--instance", 0, 99)(r),
        };
        var command = new Command("down", "Stop the local cluster (gracefully, then killed after --timeout) and clear its record.") { state, timeout, instance };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var folder = new ClusterStateFolder(parse.GetValue(state)!);
            return await Guard(stderr, async () =>
            {
                if (parse.GetValue(instance) is { } one)
                {
                    await new LocalCluster(folder, stdout).StopInstanceAsync(one, parse.GetValue(timeout), cancellationToken);
                    stdout.WriteLine($"cluster down --instance {one}: the other silos run on (record kept in {folder.Path})");
                    return ExitCodes.Success;
                }
                if (await new LocalCluster(folder, stdout).DownAsync(parse.GetValue(timeout), cancellationToken))
                    stdout.WriteLine($"cluster down: record cleared from {folder.Path} (logs kept)");
                return ExitCodes.Success;
            });
        });
        return command;
    }

    private static Command Status()
    {
        var state = ClusterOptions.State();
        var command = new Command("status", "Show the recorded silos (pid, alive, ports, log) and the cluster's own membership.") { state };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var folder = new ClusterStateFolder(parse.GetValue(state)!);
            return await Guard(stderr, async () =>
            {
                var record = folder.Load();
                if (record is null) return Cli.Fail(stderr, $"no cluster recorded in {folder.Path}: start one with `rollup cluster up`");
                foreach (var line in ClusterView.RecordLines(folder, record)) stdout.WriteLine(line);
                var gateways = record.AliveSilos().Select(s => s.Gateway).ToArray();
                if (gateways.Length > 0)
                {
                    await using var connection = await ClusterConnection.OpenAsync(gateways, folder.Path, cancellationToken);
                    foreach (var line in ClusterView.MembershipLines(await ClusterView.MembershipAsync(connection.Grains))) stdout.WriteLine(line);
                }
                return ExitCodes.Success;
            });
        });
        return command;
    }

    /// <summary>Turns the cluster's own failures into one error line and their exit code.</summary>
    private static async Task<int> Guard(TextWriter stderr, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (LocalClusterException e)
        {
            stderr.WriteLine("error: " + Cli.OneLine(e.Message));
            return e.ExitCode;
        }
        catch (ClusterStateException e)
        {
            return Cli.Fail(stderr, e.Message);
        }
    }
}
