using System.Net;
using System.Net.Sockets;

namespace ActorRollup.IntegrationTests.Rpc;

/// <summary>Free loopback ports for the JSON-RPC tests, from their own range (18500–18699): each one handed out once per
/// test process, and free when handed out.</summary>
internal static class RpcPorts
{
    public const int First = 18_500;
    public const int Last = 18_699;
    private static int _next = First;

    public static int Next()
    {
        while (true)
        {
            var port = Interlocked.Increment(ref _next) - 1;
            if (port > Last) throw new InvalidOperationException($"no free port left in {First}-{Last}");
            if (IsFree(port)) return port;
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
