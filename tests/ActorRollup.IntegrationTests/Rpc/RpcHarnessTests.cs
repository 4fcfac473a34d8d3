using ActorRollup.Core;
using ActorRollup.Harness;
using ActorRollup.Harness.Connection;

namespace ActorRollup.IntegrationTests.Rpc;

/// <summary>The harness's embedded silo serves JSON-RPC when asked (<c>--rpc-port</c>), and only the embedded one.</summary>
public sealed class RpcHarnessTests
{
    [Fact]
    public async Task The_embedded_silo_serves_json_rpc_on_the_port_asked_for_while_the_command_runs()
    {
        var port = RpcPorts.Next();
        HarnessRpc.Apply(port);
        try
        {
            await using var connection = await ClusterConnection.OpenAsync([]);
            Assert.Equal(port, connection.RpcAddress!.Port);
            var chainId = await connection.EnsureDefaultChainAsync();
            using var http = new HttpClient();
            var rpc = new RpcClient(http, connection.RpcAddress);
            var answered = (await rpc.CallAsync("eth_chainId")).GetString();
            Assert.Equal("0x" + ChainParameters.DeriveEthChainId(chainId).ToString("x"), answered);
            await Poll.Until(() => rpc.CallAsync("eth_blockNumber"), n => n.GetString() != "0x0", TimeSpan.FromSeconds(30), "blocks over JSON-RPC");
        }
        finally
        {
            HarnessRpc.Apply(null);
        }
    }

    [Fact]
    public async Task Rpc_port_with_a_gateway_is_bad_input()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await Cli.RunAsync(["status", "--gateway", "127.0.0.1:1", "--rpc-port", "18699"], stdout, stderr);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.StartsWith("error: --rpc-port serves JSON-RPC from the embedded silo", stderr.ToString());
        Assert.Equal("", stdout.ToString());
    }
}
