using System.CommandLine;
using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Harness.Connection;
using ActorRollup.Harness.LoadTest;
using ActorRollup.Harness.Supervisor;
using ActorRollup.Harness.Options;
using ActorRollup.Harness.Output;
using ActorRollup.Harness.Session;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ActorRollup.Harness.Commands;

/// <summary>
/// <c>rollup status</c>: one chain at a glance — heights at each confirmation level, epoch, term and leader, halt state,
/// the committee with each member's status, mempool, failovers, rollbacks, settlement and the L2 supply. With
/// <c>--watch</c> it refreshes every <c>--interval</c> (a live display on a terminal, successive snapshots
/// elsewhere) until Ctrl+C or <c>--count</c> refreshes.
/// </summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var gateway = ClusterOptions.Gateway();
        var chain = ClusterOptions.Chain();
        var state = ClusterOptions.State();
        var watch = new Option<bool>("--watch") { Description = "Keep refreshing until Ctrl+C (or --count refreshes)." };
        var interval = Durations.Option("--interval", "Refresh interval of --watch (default 1s).", BareUnit.Milliseconds,
            TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(50), TimeSpan.FromHours(1));
        var count = new Option<int?>("--count")
        {
            Description = "With --watch: stop after this many refreshes.",
            HelpName = "n",
            CustomParser = r => OptionValues.Int("--count", 1)(r),
        };

        var command = new Command("status", "Show a chain's heights, leader, committee, mempool, failovers, rollbacks, settlement and supply.")
        {
            gateway, chain, watch, interval, count, state,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(count) is not null && !result.GetValue(watch)) result.AddError("--count needs --watch");
            if (result.GetResult(interval) is { Implicit: false } && !result.GetValue(watch)) result.AddError("--interval needs --watch");
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            // A cluster started by `cluster up` (state folder) is listed under the chain; without --gateway, status asks it.
            var folder = new ClusterStateFolder(parse.GetValue(state)!);
            ClusterRecord? record;
            try
            {
                record = folder.Load();
            }
            catch (ClusterStateException e)
            {
                return Cli.Fail(stderr, e.Message);
            }
            var gateways = parse.GetValue(gateway) ?? [];
            if (gateways.Length == 0 && record is not null)
            {
                gateways = record.AliveSilos().Select(s => s.Gateway).ToArray();
                // Not an embedded silo in place of a recorded cluster that is down: that would show a fresh chain.
                if (gateways.Length == 0)
                    throw new ClusterUnreachableException($"no silo of the cluster recorded in {folder.Path} is running (rollup cluster down clears the record; --gateway names another cluster)");
            }
            await using var session = await ChainSession.OpenAsync(parse, gateways, chain, folder.Path, cancellationToken);
            if (session.Genesis is null) return Cli.Fail(stderr, session.MissingChain);
            var cluster = record is null ? null : folder;

            if (!parse.GetValue(watch))
            {
                Show(stdout, await Snapshot.TakeAsync(session, cluster));
                return ExitCodes.Success;
            }

            var every = parse.GetValue(interval);
            var limit = parse.GetValue(count) ?? int.MaxValue;
            if (Terminal.IsInteractive(stdout))
            {
                var first = await Snapshot.TakeAsync(session, cluster);
                await Terminal.For(stdout).Live(Render(first, stdout)).AutoClear(false).StartAsync(async live =>
                {
                    for (int i = 1; i < limit && await Pause(every, cancellationToken); i++)
                    {
                        live.UpdateTarget(Render(await Snapshot.TakeAsync(session, cluster), stdout));
                        live.Refresh();
                    }
                });
            }
            else
            {
                for (int i = 0; i < limit; i++)
                {
                    if (i > 0 && !await Pause(every, cancellationToken)) break;
                    var snapshot = await Snapshot.TakeAsync(session, cluster);
                    if (i > 0) stdout.WriteLine();
                    stdout.WriteLine($"--- {Terminal.Time(snapshot.TakenAtMs)} ({i + 1}) ---");
                    Show(stdout, snapshot);
                }
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Writes one snapshot. Off a terminal the cluster lines are written as they are (Spectre would wrap long paths at its plain width).</summary>
    private static void Show(TextWriter stdout, Snapshot snapshot)
    {
        Terminal.Write(stdout, Render(snapshot, stdout));
        if (!Terminal.IsInteractive(stdout) && snapshot.Cluster.Count > 0)
        {
            stdout.WriteLine();
            foreach (var line in snapshot.Cluster) stdout.WriteLine(line);
        }
        stdout.Flush();
    }

    /// <summary>Waits one interval; false when Ctrl+C ended the watch.</summary>
    private static async Task<bool> Pause(TimeSpan interval, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(interval, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Everything one refresh shows, read from the chain, rotation, settlement, mempool and every committee member.</summary>
    private sealed record Snapshot(
        string Where, ChainStatus Chain, RotationStatus Rotation, SettlementView Settlement, MempoolStats Mempool,
        SequencerView?[] Members, long TakenAtMs)
    {
        /// <summary>The cluster's most recently bootstrapped chains, newest first (a load test's chains among them).</summary>
        public ChainEntry[] Recent { get; init; } = [];

        /// <summary>The recorded cluster's network model (null: none recorded), and each member's region under it.</summary>
        public NetworkRecord? Network { get; init; }
        public Func<string, string>? RegionOf { get; init; }

        /// <summary>The silo hosting each committee member's sequencer (GrainPlacement), "-" when it has no activation;
        /// null in an embedded run (one silo).</summary>
        public Func<string, string>? SiloOf { get; init; }

        /// <summary>The local cluster's recorded silos and the cluster's membership, when there is a cluster to show.</summary>
        public IReadOnlyList<string> Cluster { get; init; } = [];

        public static async Task<Snapshot> TakeAsync(ChainSession session, ClusterStateFolder? folder)
        {
            var grains = session.Grains;
            var chain = session.Chain.GetStatus();
            var rotation = grains.Rotation(session.ChainId).GetStatus();
            var settlement = grains.Settlement(session.ChainId).GetView();
            var mempool = grains.Mempool(session.ChainId).GetStats();
            var status = await chain;
            var members = await Task.WhenAll(status.Committee.Select(async seat =>
            {
                // A member that does not answer (crashed, or a call timed out) is shown as such, not as a failure of status.
                try
                {
                    return await grains.Sequencer(session.ChainId, seat.Id).GetView().WaitAsync(TimeSpan.FromSeconds(3));
                }
                catch (Exception e) when (e is TimeoutException or OrleansException)
                {
                    return null;
                }
            }));
            Func<string, string>? siloOf = null;
            if (!session.Connection.Embedded)
            {
                var hosts = await GrainPlacement.LocateAsync(grains.GetGrain<IManagementGrain>(0),
                    status.Committee.Select(seat => (seat.Id, (IAddressable)grains.Sequencer(session.ChainId, seat.Id))));
                siloOf = id => hosts.TryGetValue(id, out var silo) ? silo.Endpoint.ToString() : "-";
            }
            var recent = await RecentChains(grains);
            var cluster = new List<string>();
            var record = folder?.Load();
            if (record is not null) cluster.AddRange(ClusterView.RecordLines(folder!, record));
            var network = session.Connection.Embedded ? null : record?.Network;
            if (!session.Connection.Embedded) cluster.AddRange(ClusterView.MembershipLines(await ClusterView.MembershipAsync(grains)));
            return new Snapshot(session.Connection.Embedded ? "embedded silo" : session.Connection.Where,
                status, await rotation, await settlement, await mempool, members, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())
            {
                Cluster = cluster, Recent = recent, Network = network, RegionOf = network is null ? null : Regions(network), SiloOf = siloOf,
            };
        }

        /// <summary>A member's region as the silos place it (NetworkTopology: the number its id ends with, in the
        /// --regions spread, counts wrapping); "?" when the recorded spread cannot be read.</summary>
        private static Func<string, string>? Regions(NetworkRecord network)
        {
            try
            {
                var spec = Core.Network.RegionSpec.Parse(network.Regions);
                return id => spec.RegionOf(Grains.Infrastructure.NetworkTopology.MemberIndex(id));
            }
            catch (FormatException)
            {
                return _ => "?";
            }
        }

        /// <summary>The registry's latest chains; none when it does not answer (status still shows the chain asked for).</summary>
        private static async Task<ChainEntry[]> RecentChains(IGrainFactory grains)
        {
            try
            {
                return await grains.ChainRegistryGrain().Latest(RecentCount).WaitAsync(TimeSpan.FromSeconds(3));
            }
            catch (Exception e) when (e is TimeoutException or OrleansException)
            {
                return [];
            }
        }
    }

    /// <summary>The first few senders whose transactions are stuck (censorship shows here), and how many more.</summary>
    private static string StuckSenders(string[] senders) =>
        string.Join(", ", senders.Take(3)) + (senders.Length > 3 ? $" and {senders.Length - 3} more" : "");

    /// <summary>How many of the latest chains status lists.</summary>
    private const int RecentCount = 5;

    /// <summary>The latest chains of the cluster, newest first, the one shown marked; a hint how to show another.</summary>
    private static IEnumerable<string> RecentLines(Snapshot s)
    {
        yield return "latest chains (newest first; rollup status --chain ID shows one):";
        var width = s.Recent.Max(e => e.ChainId.Length);
        foreach (var e in s.Recent)
            yield return $"  {(e.ChainId == s.Chain.ChainId ? "*" : " ")} {e.ChainId.PadRight(width)}  {Terminal.Time(e.CreatedAtMs)}  " +
                         $"committee {e.CommitteeSize} of {e.Sequencers}, {e.Validators} validators";
    }

    private static IRenderable Render(Snapshot s, TextWriter stdout)
    {
        var c = s.Chain;
        var r = s.Rotation;
        var term = r.Current;
        var lines = new List<string>
        {
            $"chain {c.ChainId} ({s.Where})",
            Terminal.Field("heights", $"soft-confirmed {c.SoftConfirmedHeight}   validated {c.ValidatedHeight}   finalized {c.FinalizedHeight}"),
            Terminal.Field("epoch", $"{c.Epoch}   term {c.Term}   leader {(c.Leader.Length == 0 ? "-" : c.Leader)}" +
                (term is null ? "" : $" (heights {term.FirstHeight}..{term.LastHeight})")),
            Terminal.Field("halted", c.Halted ? "YES: " + c.HaltReason : "no"),
            Terminal.Field("mempool", $"{c.MempoolSize} pending" + (s.Mempool.Stuck > 0 ? $", {s.Mempool.Stuck} stuck (senders {StuckSenders(s.Mempool.StuckSenders)})" : "") +
                $"   admitted {s.Mempool.Admitted}   committed {s.Mempool.Committed}   refused {s.Mempool.Refused} (back-pressure included)"),
            Terminal.Field("failovers", $"{c.Failovers}   leader changes {r.LeaderChanges}   rollbacks {c.Rollbacks}"),
            Terminal.Field("settlement", $"posted to height {s.Settlement.PostedHeight} ({s.Settlement.BatchesPosted} batches)   " +
                $"finalized to height {s.Settlement.FinalizedHeight} ({s.Settlement.BatchesFinal} batches)" +
                (s.Settlement.BatchesReverted > 0 ? $"   reverted {s.Settlement.BatchesReverted}" : "")),
            Terminal.Field("L2 supply", Terminal.Tokens(c.L2Supply)),
            Terminal.Field("head", $"{Terminal.Short(c.HeadHash)}   state root {Terminal.Short(c.StateRoot)}"),
            "",
            $"committee of epoch {c.Epoch}: {c.Committee.Length} members, power {c.Committee.Sum(m => m.Power)}",
        };

        if (s.Network is { } net)
        {
            if (c.Leader.Length > 0) lines[2] += $"   leader's region {s.RegionOf!(c.Leader)}";
            lines.Insert(4, Terminal.Field("network", ClusterView.NetworkLine(net)));
        }
        var total = c.Committee.Sum(m => m.Power);
        string[] columns = ["id", "power", "share", "status", "fault", "leader", "blocks", "attested"];
        if (s.RegionOf is not null) columns = [.. columns, "region"];
        if (s.SiloOf is not null) columns = [.. columns, "silo"];
        var table = Terminal.Table(stdout, columns).RightAlign(1, 2, 6, 7);
        for (int i = 0; i < c.Committee.Length; i++)
        {
            var seat = c.Committee[i];
            var view = s.Members[i];
            string[] cells = [seat.Id, seat.Power.ToString(), Terminal.Share(seat.Power, total),
                view?.Status ?? "no answer", view?.Fault ?? "?", seat.Id == c.Leader ? "leader" : "",
                view?.BlocksProposed.ToString() ?? "?", view?.Attestations.ToString() ?? "?"];
            if (s.RegionOf is not null) cells = [.. cells, s.RegionOf(seat.Id)];
            if (s.SiloOf is not null) cells = [.. cells, s.SiloOf(seat.Id)];
            table.Row(cells);
        }

        var items = lines.Select(l => (IRenderable)new Text(l)).ToList();
        items.Add(table);
        if (s.Recent.Length > 0) items.AddRange([new Text(""), .. RecentLines(s).Select(l => new Text(l))]);
        if (s.Cluster.Count > 0 && Terminal.IsInteractive(stdout)) items.AddRange([new Text(""), .. s.Cluster.Select(l => new Text(l))]);
        return new Rows(items);
    }
}
