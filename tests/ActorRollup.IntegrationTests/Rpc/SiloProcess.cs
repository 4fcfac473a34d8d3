using System.Diagnostics;
using System.Text;

namespace ActorRollup.IntegrationTests.Rpc;

/// <summary>
/// The silo executable (the build beside the tests) as a process of its own, with command-line settings, as
/// <c>dotnet run --project silo</c> runs it; killed on dispose. Ready once it logged "silo ready" and, when JSON-RPC is
/// on, "JSON-RPC on".
/// </summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly string _workingDirectory;

    private SiloProcess(Process process, string workingDirectory)
    {
        _process = process;
        _workingDirectory = workingDirectory;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>The settings of a silo of its own on ports of 18500–18699 (silo, gateway, JSON-RPC), a cluster id of its own,
    /// and <paramref name="more"/>; the JSON-RPC port.</summary>
    public static (Dictionary<string, string> Settings, int RpcPort) OwnPorts(string clusterId, IReadOnlyDictionary<string, string>? more = null)
    {
        var rpcPort = RpcPorts.Next();
        var siloPort = RpcPorts.Next().ToString();
        var settings = new Dictionary<string, string>
        {
            ["Cluster:SiloPort"] = siloPort,
            ["Cluster:PrimarySiloPort"] = siloPort,
            ["Cluster:GatewayPort"] = RpcPorts.Next().ToString(),
            ["Cluster:ClusterId"] = clusterId,
            ["Rpc:Port"] = rpcPort.ToString(),
        };
        foreach (var (name, value) in more ?? new Dictionary<string, string>()) settings[name] = value;
        return (settings, rpcPort);
    }

    /// <summary>Starts the silo with <paramref name="settings"/> (--Name value pairs) and waits until it is ready.</summary>
    public static async Task<SiloProcess> StartAsync(IReadOnlyDictionary<string, string> settings, bool rpc, TimeSpan timeout)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "ActorRollup.Silo.dll");
        // A folder of its own: the silo reads the appsettings.json beside its binary (no repository above it).
        var workingDirectory = Directory.CreateTempSubdirectory("actorrollup-silo-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var (name, value) in settings)
        {
            start.ArgumentList.Add("--" + name);
            start.ArgumentList.Add(value);
        }
        var silo = new SiloProcess(Process.Start(start) ?? throw new InvalidOperationException("the silo did not start"), workingDirectory);
        var deadline = DateTime.UtcNow + timeout;
        while (!(silo.Output.Contains("silo ready") && (!rpc || silo.Output.Contains("JSON-RPC on"))))
        {
            if (silo._process.HasExited || DateTime.UtcNow > deadline)
            {
                var output = silo.Output;
                await silo.DisposeAsync();
                throw new InvalidOperationException($"the silo did not become ready within {timeout.TotalSeconds:F0} s:\n{output}");
            }
            await Task.Delay(50);
        }
        return silo;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_workingDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
