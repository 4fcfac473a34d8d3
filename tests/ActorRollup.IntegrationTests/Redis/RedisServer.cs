using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ActorRollup.IntegrationTests.Redis;

/// <summary>
/// A throwaway redis-server for the durability tests: its own free loopback port and temporary data folder, stopped
/// and deleted at the end. When redis-server is not installed these tests are skipped with the reason — unless
/// ACTORROLLUP_REQUIRE_REDIS=1 (as in CI), where they run and fail.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private RedisServer(Process process, int port, string directory)
    {
        _process = process;
        Port = port;
        _directory = directory;
    }

    public int Port { get; }
    public string ConnectionString => $"127.0.0.1:{Port}";

    public static string? Executable { get; } = FindOnPath("redis-server");
    public static bool Required => Environment.GetEnvironmentVariable("ACTORROLLUP_REQUIRE_REDIS") == "1";

    /// <summary>Why the Redis tests are skipped here, or null when they run.</summary>
    public static string? SkipReason => Executable is null && !Required
        ? "redis-server is not installed (apt-get install redis-server); set ACTORROLLUP_REQUIRE_REDIS=1 to fail instead of skipping"
        : null;

    public static async Task<RedisServer> StartAsync()
    {
        if (Executable is null)
            throw new InvalidOperationException("redis-server is not on PATH and ACTORROLLUP_REQUIRE_REDIS=1: install it (apt-get install -y redis-server)");
        var directory = Directory.CreateTempSubdirectory("actorrollup-redis-").FullName;
        var port = FreePort();
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--port", port.ToString(), "--bind", "127.0.0.1", "--dir", directory, "--save", "", "--appendonly", "no", "--daemonize", "no" })
            start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServer(process, port, directory);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await server.PingAsync())
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await server.DisposeAsync();
                string log;
                lock (output) log = output.ToString();
                throw new InvalidOperationException($"redis-server on port {port} did not answer PING within 15 s:\n{log}");
            }
            await Task.Delay(50);
        }
        return server;
    }

    /// <summary>PING over the wire protocol (no client library needed for a liveness check).</summary>
    public async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port).WaitAsync(TimeSpan.FromSeconds(1));
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(1));
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or TimeoutException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The path of the executable <paramref name="name"/> on PATH, or null (also for node, NodeScript).</summary>
    internal static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}

/// <summary>A test that needs a real redis-server: skipped, with the reason, where none is installed (unless required).</summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (RedisServer.SkipReason is { } reason) Skip = reason;
    }
}
