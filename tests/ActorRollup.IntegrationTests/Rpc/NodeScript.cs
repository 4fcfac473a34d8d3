using System.Diagnostics;
using System.Text;

namespace ActorRollup.IntegrationTests.Rpc;

/// <summary>
/// Runs a script of <c>tests/eth-clients</c> with node. Without node (or without its packages, <c>npm ci</c> in that
/// folder) the tests that need it are skipped with the reason — unless ACTORROLLUP_REQUIRE_NODE=1 (set by .ci/run),
/// where they run and fail.
/// </summary>
internal static class NodeScript
{
    public static string? Executable { get; } = Redis.RedisServer.FindOnPath("node");
    public static bool Required => Environment.GetEnvironmentVariable("ACTORROLLUP_REQUIRE_NODE") == "1";

    /// <summary>tests/eth-clients of this repository (found from the test's folder up).</summary>
    public static string Folder { get; } = FindFolder();

    private static bool Installed => Directory.Exists(Path.Combine(Folder, "node_modules", "ethers"));

    /// <summary>Why the node tests are skipped here, or null when they run.</summary>
    public static string? SkipReason => Required ? null
        : Executable is null ? "node is not installed (apt-get install nodejs npm); set ACTORROLLUP_REQUIRE_NODE=1 to fail instead of skipping"
        : !Installed ? $"the ethers package is not installed: run `npm ci` in {Folder}; set ACTORROLLUP_REQUIRE_NODE=1 to fail instead of skipping"
        : null;

    /// <summary>Runs <paramref name="script"/> with <paramref name="environment"/>; its exit code and output (stdout and
    /// stderr interleaved), killed at <paramref name="timeout"/>.</summary>
    public static async Task<(int Exit, string Output)> RunAsync(string script, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        if (Executable is null) throw new InvalidOperationException("node is not on PATH and ACTORROLLUP_REQUIRE_NODE=1: install it (apt-get install -y nodejs npm)");
        if (!Installed) throw new InvalidOperationException($"ethers is not installed in {Folder} and ACTORROLLUP_REQUIRE_NODE=1: run `npm ci` there");
        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            lock (output) output.AppendLine($"(killed after {timeout.TotalSeconds:F0} s)");
            return (-1, output.ToString());
        }
        process.WaitForExit(); // the output's end
        lock (output) return (process.ExitCode, output.ToString());
    }

    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ActorRollup.sln"))) return Path.Combine(dir.FullName, "tests", "eth-clients");
        return Path.Combine(AppContext.BaseDirectory, "eth-clients");
    }
}

/// <summary>A test that runs a node script: skipped, with the reason, where node or its packages are missing (unless required).</summary>
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute()
    {
        if (NodeScript.SkipReason is { } reason) Skip = reason;
    }
}
