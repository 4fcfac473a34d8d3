using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ActorRollup.Harness.Supervisor;

/// <summary>
/// The few process operations the local cluster needs, for processes this harness may not be the parent of (a later
/// <c>cluster down</c> runs in another process than the <c>cluster up</c> that started them): is it alive, when did
/// it start, ask it to stop (SIGTERM — what Ctrl+C is to a generic host: a graceful shutdown), kill it (SIGKILL).
/// </summary>
public static class LocalProcess
{
    private const int SigTerm = 15;

    /// <summary>Tolerance when comparing a recorded start time with the one the OS reports (clock-tick rounding).</summary>
    private static readonly TimeSpan StartTolerance = TimeSpan.FromSeconds(2);

    /// <summary>When the process with this pid started, or null when there is none (or it is a zombie).</summary>
    public static DateTimeOffset? StartTime(int pid)
    {
        if (pid <= 0 || IsZombie(pid)) return null;
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited) return null;
            return new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>True while a process with <paramref name="pid"/> runs and (when known) started at <paramref name="startedAt"/>.</summary>
    public static bool IsAlive(int pid, DateTimeOffset? startedAt)
    {
        var actual = StartTime(pid);
        if (actual is null) return false;
        return startedAt is null || (actual.Value - startedAt.Value).Duration() <= StartTolerance;
    }

    /// <summary>Asks the process to shut down gracefully (SIGTERM); false when it is not there. On Windows there is no
    /// such signal for a detached process: it is killed.</summary>
    public static bool Terminate(int pid)
    {
        if (OperatingSystem.IsWindows()) return Kill(pid);
        return SendSignal(pid, SigTerm) == 0;
    }

    /// <summary>Kills the process abruptly (SIGKILL); false when it is not there.</summary>
    public static bool Kill(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
            return true;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>Waits until the process is gone, polling; false when <paramref name="timeout"/> passed first.</summary>
    public static async Task<bool> WaitForExitAsync(int pid, DateTimeOffset? startedAt, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        while (IsAlive(pid, startedAt))
        {
            if (clock.Elapsed > timeout) return false;
            await Task.Delay(100, cancellationToken);
        }
        return true;
    }

    /// <summary>The full path of <paramref name="program"/> on PATH, or null.</summary>
    public static string? FindOnPath(string program)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = System.IO.Path.Combine(dir, program);
            if (File.Exists(candidate)) return candidate;
            if (OperatingSystem.IsWindows() && File.Exists(candidate + ".exe")) return candidate + ".exe";
        }
        return null;
    }

    /// <summary>A process that exited but was not reaped yet still has a pid: on Linux its state in /proc is Z.</summary>
    private static bool IsZombie(int pid)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] is 'Z' or 'X';
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    // DllImport rather than LibraryImport: the generated marshalling needs unsafe code, and int -> int needs none.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
