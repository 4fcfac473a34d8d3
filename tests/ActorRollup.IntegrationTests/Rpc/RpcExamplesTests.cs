using System.Text;
using System.Text.Json;
using ActorRollup.Core;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Transactions;

namespace ActorRollup.IntegrationTests.Rpc;

/// <summary>
/// The examples of docs/JSON-RPC.md, taken from a real run: the silo executable with the default settings (chain
/// rollup-1 and its genesis) serves JSON-RPC, and every method is called as the page shows it. The test checks each
/// answer; with ACTORROLLUP_RPC_EXAMPLES=1 it also writes them into the page, between its "examples" markers:
/// <c>ACTORROLLUP_RPC_EXAMPLES=1 dotnet test tests/ActorRollup.IntegrationTests --filter RpcExamplesTests</c>.
/// </summary>
public sealed class RpcExamplesTests
{
    private const string Begin = "<!-- examples:begin (written by RpcExamplesTests from a real run; do not edit by hand) -->";
    private const string End = "<!-- examples:end -->";
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private sealed record Example(string Title, string Note, string Request, string Response);

    [Fact]
    public async Task Every_method_answers_as_the_page_shows_it()
    {
        var (settings, rpcPort) = SiloProcess.OwnPorts("rpc-examples");
        await using var silo = await SiloProcess.StartAsync(settings, rpc: true, TimeSpan.FromSeconds(120));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var rpc = new RpcClient(http, new Uri($"http://127.0.0.1:{rpcPort}/"));
        var examples = new List<Example>();
        var id = 0;

        async Task<JsonElement> Run(string title, string note, string method, params object?[] parameters)
        {
            var request = JsonSerializer.Serialize(new { jsonrpc = "2.0", id = ++id, method, @params = parameters });
            var (status, answer, text) = await rpc.PostAsync(request);
            Assert.True(status == 200, $"{method}: HTTP {status} {text}");
            examples.Add(new Example(title, note, request, JsonSerializer.Serialize(answer, Indented)));
            return answer;
        }
        async Task<JsonElement> Result(string title, string note, string method, params object?[] parameters)
        {
            var answer = await Run(title, note, method, parameters);
            Assert.True(answer.TryGetProperty("result", out var result), $"{method}: {answer}");
            return result;
        }

        // The configured chain: rollup-1, its default genesis (load-test accounts of the public seed).
        var seed = Abstractions.Config.ChainGenesis.DefaultLoadTestSeed;
        var chainId = "rollup-1";
        var ethId = ChainParameters.DeriveEthChainId(chainId);
        await Poll.Until(() => rpc.RawAsync("eth_blockNumber"), a => a.TryGetProperty("result", out var r) && r.GetString() != "0x0", TimeSpan.FromSeconds(60), "the chain's first blocks");
        var sender = EthKey.Derive(seed, 0);
        var recipient = EthKey.Derive(seed, 1).Address;
        using var nativeKey = SigningKey.Derive(seed, 0);
        using var nativeRecipient = SigningKey.Derive(seed, 1);

        Assert.Equal("0x" + ethId.ToString("x"), (await Result("eth_chainId", "The chain's numeric id (EIP-155): `Chain:EthChainId`, or derived from `Chain:ChainId`.", "eth_chainId")).GetString());
        await Result("net_version", "The same id in decimal.", "net_version");
        await Result("web3_clientVersion", "", "web3_clientVersion");
        await Result("eth_syncing", "Always false: the endpoint reads the chain's own grains.", "eth_syncing");
        await Result("eth_blockNumber", "The soft-confirmed head.", "eth_blockNumber");
        await Result("eth_gasPrice", "The base fee (`Chain:MinGasPrice`), constant.", "eth_gasPrice");
        await Result("eth_maxPriorityFeePerGas", "Zero: a transaction paying the base fee is admitted; nothing is burned.", "eth_maxPriorityFeePerGas");
        await Result("eth_getBalance", "Load-test Ethereum account 0 (`EthKey.Derive(Genesis:LoadTestSeed, 0)`), at the head.", "eth_getBalance", sender.Address.ToString(), "latest");
        await Result("eth_getTransactionCount", "`pending` counts the sender's pending transactions that follow its nonce without a gap.", "eth_getTransactionCount", sender.Address.ToString(), "pending");
        await Result("eth_estimateGas", "A transfer: 21,000 gas, plus 16 a data byte.", "eth_estimateGas", new { from = sender.Address.ToString(), to = recipient.ToString(), value = "0xde0b6b3a7640000" });
        await Result("eth_getCode", "No contracts: always empty.", "eth_getCode", recipient.ToString(), "latest");
        await Result("eth_call", "No contracts: an ordinary account answers empty data.", "eth_call", new { to = recipient.ToString(), data = "0x70a08231" }, "latest");
        var reserves = await Result("eth_call (the pool's getReserves)",
            "The system addresses answer read-only calls (PROTOCOL.md §12): the pool `0x…a000` Uniswap v2's `getReserves()` (native, TKN, 0) and `getAmountOut(uint256,address)`.",
            "eth_call", new { to = Core.Amm.SystemAddresses.Pool.ToString(), data = "0x0902f1ac" }, "latest");
        Assert.Equal(2 + 3 * 64, reserves.GetString()!.Length);
        await Result("eth_call (TKN's balanceOf)", "TKN `0x…a001` answers ERC-20's `balanceOf(address)`, `decimals()`, `symbol()` and `name()`: account 0's 1,000,000 TKN.",
            "eth_call", new { to = Core.Amm.SystemAddresses.Token.ToString(), data = "0x70a08231" + new string('0', 24) + sender.Address.ToString()[2..] }, "latest");

        // Three transfers at once: a legacy, a type-2 and a native one, so one block can hold both formats.
        var legacy = EthTransactionCodec.SignLegacy(sender, ethId, 0, 1_000_000_000, 21_000, recipient, 1_000_000_000_000_000_000UL);
        var dynamic = EthTransactionCodec.SignDynamicFee(sender, ethId, 1, 0, 2_000_000_000, 21_000, recipient, 2_000_000_000_000_000_000UL);
        var native = Transaction.Create(nativeKey, chainId, nativeRecipient.Address, 3_000_000_000_000_000_000UL, 0, 1_000_000_000);
        await Result("eth_sendRawTransaction (legacy)", "A legacy EIP-155 transfer of 1 token (10^18 base units), signed with secp256k1; the answer is its Keccak-256 hash.",
            "eth_sendRawTransaction", "0x" + Convert.ToHexStringLower(legacy.Encoded));
        await Result("eth_sendRawTransaction (EIP-1559)", "A type-2 transfer with maxFeePerGas 2 gwei and no tip.",
            "eth_sendRawTransaction", "0x" + Convert.ToHexStringLower(dynamic.Encoded));
        await Result("eth_sendRawTransaction (native)", "The same method takes ActorRollup's native (Ed25519) encoding; its hash is SHA-256 of the encoding.",
            "eth_sendRawTransaction", "0x" + Convert.ToHexStringLower(native.Encoded));
        var refusal = await Run("eth_sendRawTransaction (refused)", "The legacy transfer again: refused as a duplicate, the reason code in `data`.",
            "eth_sendRawTransaction", "0x" + Convert.ToHexStringLower(legacy.Encoded));
        Assert.Equal("already known", refusal.GetProperty("error").GetProperty("message").GetString());

        var receipt = await Poll.Until(() => rpc.CallAsync("eth_getTransactionReceipt", dynamic.Hash.ToString()), r => r.ValueKind == JsonValueKind.Object, TimeSpan.FromSeconds(30), "the receipt");
        var nativeReceipt = await Poll.Until(() => rpc.CallAsync("eth_getTransactionReceipt", native.Hash.ToString()), r => r.ValueKind == JsonValueKind.Object, TimeSpan.FromSeconds(30), "the native receipt");
        await Result("eth_getTransactionReceipt", "The type-2 transfer's receipt: effectiveGasPrice = min(maxFeePerGas, base fee + tip).", "eth_getTransactionReceipt", dynamic.Hash.ToString());
        await Result("eth_getTransactionByHash", "The type-2 transfer, mined (gasPrice shows the effective price).", "eth_getTransactionByHash", dynamic.Hash.ToString());
        await Result("eth_getBlockByNumber", "The block holding the type-2 transfer, with transaction hashes.", "eth_getBlockByNumber", receipt.GetProperty("blockNumber").GetString(), false);
        var full = await Result("eth_getBlockByHash (full transactions)", "The block holding the native transfer, with whole transactions: the native one shows as type 0x7f.",
            "eth_getBlockByHash", nativeReceipt.GetProperty("blockHash").GetString(), true);
        Assert.Contains(full.GetProperty("transactions").EnumerateArray(), t => t.GetProperty("type").GetString() == "0x7f");
        await Result("eth_feeHistory", "Four blocks to the head, with the 25th and 75th percentile tips.", "eth_feeHistory", "0x4", "latest", new[] { 25, 75 });
        await Poll.Until(() => rpc.CallAsync("eth_getBlockByNumber", "finalized", false), b => b.GetProperty("number").GetString() != "0x0", TimeSpan.FromSeconds(90), "a finalized block");
        await Result("eth_getBlockByNumber (finalized)", "`finalized`: the highest height whose settlement batch passed its challenge window.", "eth_getBlockByNumber", "finalized", false);

        // A batch, and errors.
        var batch = """[{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"},{"jsonrpc":"2.0","id":2,"method":"eth_getBlockByNumber","params":["safe",false]},{"jsonrpc":"2.0","id":3,"method":"eth_getLogs","params":[{}]}]""";
        var (_, batchAnswer, _) = await rpc.PostAsync(batch);
        Assert.Equal(3, batchAnswer.GetArrayLength());
        examples.Add(new Example("A batch", "Answered in order; one request's error does not fail the others (eth_getLogs is not served).", batch, Compact(batchAnswer)));
        var invalid = """{"jsonrpc":"2.0","id":4,"method":"eth_getBalance","params":["0x1234","latest"]}""";
        var (_, invalidAnswer, _) = await rpc.PostAsync(invalid);
        Assert.Equal(-32602, invalidAnswer.GetProperty("error").GetProperty("code").GetInt32());
        examples.Add(new Example("Invalid params", "", invalid, JsonSerializer.Serialize(invalidAnswer, Indented)));
        var malformed = """{"jsonrpc":"2.0","id":5,"method":""";
        var (_, malformedAnswer, _) = await rpc.PostAsync(malformed);
        Assert.Equal(-32700, malformedAnswer.GetProperty("error").GetProperty("code").GetInt32());
        examples.Add(new Example("Malformed JSON", "", malformed, JsonSerializer.Serialize(malformedAnswer, Indented)));

        Assert.All(examples, e => Assert.DoesNotContain("   at ", e.Response));
        if (Environment.GetEnvironmentVariable("ACTORROLLUP_RPC_EXAMPLES") == "1") Write(examples);
    }

    private static string Compact(JsonElement answer)
    {
        // A batch's answers one a line: readable without a page of braces.
        return "[\n" + string.Join(",\n", answer.EnumerateArray().Select(a => "  " + a.GetRawText())) + "\n]";
    }

    private static void Write(List<Example> examples)
    {
        var page = Path.Combine(Path.GetDirectoryName(NodeScript.Folder)!, "..", "docs", "JSON-RPC.md");
        var text = File.ReadAllText(page);
        int begin = text.IndexOf(Begin, StringComparison.Ordinal), end = text.IndexOf(End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, $"{page} has no examples markers");
        var body = new StringBuilder();
        body.AppendLine(Begin);
        body.AppendLine();
        body.AppendLine($"Captured {DateTime.UtcNow:yyyy-MM-dd} from `dotnet run --project silo` with the default settings (chain `rollup-1`), ports aside.");
        foreach (var e in examples)
        {
            body.AppendLine();
            body.AppendLine($"#### {e.Title}");
            body.AppendLine();
            if (e.Note.Length > 0)
            {
                body.AppendLine(e.Note);
                body.AppendLine();
            }
            body.AppendLine("```json");
            body.AppendLine(e.Request);
            body.AppendLine("```");
            body.AppendLine();
            body.AppendLine("```json");
            body.AppendLine(e.Response);
            body.AppendLine("```");
        }
        body.AppendLine();
        File.WriteAllText(page, text[..begin] + body + text[end..]);
    }
}
