using System.Globalization;
using System.Text.RegularExpressions;
using ActorRollup.Harness.Supervisor;

namespace ActorRollup.IntegrationTests;

/// <summary>
/// A real silo process (<c>rollup cluster up --silos 1</c>, memory storage, free ports) through a leader crash and a
/// graceful stop: its log says each real event once (no response-timeout flood from calls held by the crashed
/// member, no start-up advisories), and SIGTERM stops it within seconds with no <c>fail:</c> line (a crashed member's
/// held calls once kept its deactivation, and so the stop, waiting for the host's 30 s shutdown timeout).
/// </summary>
[Collection(LocalClusterCollection.Name)]
public sealed class SiloStopTests : IDisposable
{
    /// <summary>The silo's SiloMessagingOptions.ResponseTimeout (RollupSilo.AddRollup): a call left open longer is logged.</summary>
    private static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(10);
    private readonly string _state = Directory.CreateTempSubdirectory("actorrollup-stop-").FullName;

    public void Dispose()
    {
        var record = new ClusterStateFolder(_state).Load();
        foreach (var silo in record?.Silos ?? [])
            if (LocalProcess.IsAlive(silo.Pid, silo.ProcessStart)) LocalProcess.Kill(silo.Pid);
        Directory.Delete(_state, recursive: true);
    }

    [Fact]
    public async Task A_silo_with_a_crashed_leader_logs_each_event_once_and_stops_within_seconds_of_SIGTERM()
    {
        var siloBase = ClusterCommandTests.FreePortPair();
        var gatewayBase = ClusterCommandTests.FreePortPair(siloBase);
        var gateway = $"127.0.0.1:{gatewayBase}";
        var (exit, stdout, stderr) = await ClusterCommandTests.Run("cluster", "up", "--silos", "1",
            "--silo-port", siloBase.ToString(), "--gateway-port", gatewayBase.ToString(), "--state", _state);
        Assert.True(exit == 0, $"exit {exit}: {stderr}\n{stdout}");
        var log = new ClusterStateFolder(_state).Load()!.Silos.Single().Log;

        // The leader of the default chain crashes (once the chain has a leader to crash).
        await Poll.Until(() => ClusterCommandTests.Run("fault", "crash", "--target", "leader", "--gateway", gateway),
            r => r.Exit == 0, TimeSpan.FromSeconds(60), "the crash injected into the leader");
        var failover = await Poll.Until(() => Read(log), text => Regex.IsMatch(text, @"failover in epoch \d+: .* from height \d+"),
            TimeSpan.FromSeconds(60), "the failover in the silo's log");
        var failedOverAt = DateTime.UtcNow;
        var from = ulong.Parse(Regex.Match(failover, @"failover in epoch \d+: .* from height (\d+)").Groups[1].Value, CultureInfo.InvariantCulture);

        // The new leader asks the crashed member to attest every block. Once the chain has gone 20 blocks on and
        // longer than a response timeout has passed, any call left open at the crashed member would have been logged.
        await Poll.Until(() => Read(log), text => DateTime.UtcNow - failedOverAt > ResponseTimeout + TimeSpan.FromSeconds(2)
            && Regex.Matches(text, @"chain rollup-1: height (\d+)").Any(m => ulong.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) >= from + 20),
            TimeSpan.FromSeconds(90), $"the chain 20 blocks past height {from} and a response timeout after the failover");

        (exit, stdout, stderr) = await ClusterCommandTests.Run("cluster", "down", "--state", _state);
        Assert.True(exit == 0, $"exit {exit}: {stderr}\n{stdout}");
        var stopped = Regex.Match(stdout, @"silo 0\s+pid \d+\s+stopped in (\d+(?:\.\d+)?) s");
        Assert.True(stopped.Success, $"the silo did not stop on SIGTERM:\n{stdout}");
        Assert.True(double.Parse(stopped.Groups[1].Value, CultureInfo.InvariantCulture) < 10, $"the stop took too long:\n{stdout}");

        var lines = (await Read(log)).Split('\n');
        var warnings = lines.Where(l => l.Contains(" warn: ", StringComparison.Ordinal)).ToList();
        var all = string.Join("\n", warnings);
        Assert.DoesNotContain(lines, l => l.Contains(" fail: ", StringComparison.Ordinal) || l.Contains(" crit: ", StringComparison.Ordinal));
        Assert.DoesNotContain(warnings, l => l.Contains("Response did not arrive on time", StringComparison.Ordinal));
        Assert.DoesNotContain(warnings, l => l.Contains("Dropping expired message", StringComparison.Ordinal));
        Assert.DoesNotContain(warnings, l => l.Contains("ReminderOptionsValidator", StringComparison.Ordinal));
        Assert.Single(warnings, l => l.Contains("fault Crash injected", StringComparison.Ordinal));
        // The crash, the failover and the downtime slash; a loaded machine may add a few (a slow turn, a late quorum).
        Assert.True(warnings.Count <= 8, $"{warnings.Count} warning lines:\n{all}");
    }

    /// <summary>The log as it is now (the silo still writes it).</summary>
    private static async Task<string> Read(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}
