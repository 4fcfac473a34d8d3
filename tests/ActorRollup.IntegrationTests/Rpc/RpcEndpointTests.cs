using System.Globalization;
using System.Numerics;
using System.Text.Json;
using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;
using ActorRollup.Rpc;

namespace ActorRollup.IntegrationTests.Rpc;

/// <summary>
/// The JSON-RPC endpoint over real HTTP on 127.0.0.1, served by a silo (docs/JSON-RPC.md): every method and its shapes,
/// pending transactions and nonces, the block tags and their order, batches, errors and bounds, hostile input, and
/// lookups that follow rollbacks, pruning and a reactivation.
/// </summary>
[Collection(RpcClusterCollection.Name)]
public sealed class RpcEndpointTests(RpcClusterFixture fixture)
{
    private const ulong Gwei = 1_000_000_000;
    private static readonly UInt128 Ether = 1_000_000_000_000_000_000UL;

    private static ulong Q(JsonElement value)
    {
        var text = value.GetString()!;
        AssertQuantity(text);
        return ulong.Parse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }

    private static UInt128 Big(JsonElement value)
    {
        var text = value.GetString()!;
        AssertQuantity(text);
        return UInt128.Parse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }

    private static void AssertQuantity(string text) =>
        Assert.True(text.StartsWith("0x") && text.Length > 2 && (text.Length == 3 || text[2] != '0'), $"'{text}' is not a quantity without leading zeros");

    private static void AssertData(JsonElement value, int bytes)
    {
        var text = value.GetString()!;
        Assert.True(text.StartsWith("0x") && text.Length == 2 + 2 * bytes, $"'{text}' is not {bytes} bytes of data");
    }

    private static string Raw(Transaction tx) => "0x" + Convert.ToHexStringLower(tx.Encoded);

    private static async Task<JsonElement> Receipt(RpcClient rpc, Hash32 hash) =>
        await Poll.Until(() => rpc.CallAsync("eth_getTransactionReceipt", hash.ToString()), r => r.ValueKind == JsonValueKind.Object,
            TimeSpan.FromSeconds(30), $"the receipt of {hash}");

    [Fact]
    public async Task Every_method_answers_in_the_shapes_clients_read()
    {
        var chain = await TestChain.Start(fixture.Client, "rpc-all", ethAccounts: 4, accounts: 4);
        var rpc = fixture.For(chain.Id);
        var ethId = ChainParameters.DeriveEthChainId(chain.Id);
        var sender = EthKey.Derive(chain.Genesis.LoadTestSeed, 0);
        var recipient = EthKey.Derive(chain.Genesis.LoadTestSeed, 1).Address;
        var funded = Big(await rpc.CallAsync("eth_getBalance", sender.Address.ToString(), "latest"));
        Assert.Equal((UInt128)1_000 * Ether, funded);

        // Chain and fees.
        Assert.Equal(ethId, Q(await rpc.CallAsync("eth_chainId")));
        Assert.Equal(ethId.ToString(CultureInfo.InvariantCulture), (await rpc.CallAsync("net_version")).GetString());
        Assert.StartsWith("ActorRollup/", (await rpc.CallAsync("web3_clientVersion")).GetString());
        Assert.Equal(JsonValueKind.False, (await rpc.CallAsync("eth_syncing")).ValueKind);
        Assert.Equal(chain.Config.MinGasPrice, Q(await rpc.CallAsync("eth_gasPrice")));
        Assert.Equal(0UL, Q(await rpc.CallAsync("eth_maxPriorityFeePerGas")));

        // A legacy, a type-2 and a native transfer, all through eth_sendRawTransaction.
        var legacy = EthTransactionCodec.SignLegacy(sender, ethId, 0, 2 * Gwei, 21_000, recipient, 3 * Ether);
        var dynamic = EthTransactionCodec.SignDynamicFee(sender, ethId, 1, 2 * Gwei, 5 * Gwei, 30_000, recipient, 4 * Ether);
        var native = chain.Transfer(0, 1, 5 * Ether);
        Assert.Equal(legacy.Hash.ToString(), (await rpc.CallAsync("eth_sendRawTransaction", Raw(legacy))).GetString());
        Assert.Equal(dynamic.Hash.ToString(), (await rpc.CallAsync("eth_sendRawTransaction", Raw(dynamic))).GetString());
        Assert.Equal(native.Hash.ToString(), (await rpc.CallAsync("eth_sendRawTransaction", Raw(native))).GetString());
        Assert.True(Q(await rpc.CallAsync("eth_getTransactionCount", sender.Address.ToString(), "pending")) is 2, "pending counts both");

        var legacyReceipt = await Receipt(rpc, legacy.Hash);
        var dynamicReceipt = await Receipt(rpc, dynamic.Hash);
        var nativeReceipt = await Receipt(rpc, native.Hash);
        foreach (var (receipt, tx, type) in new[] { (legacyReceipt, legacy, "0x0"), (dynamicReceipt, dynamic, "0x2"), (nativeReceipt, native, "0x7f") })
        {
            Assert.Equal(type, receipt.GetProperty("type").GetString());
            Assert.Equal("0x1", receipt.GetProperty("status").GetString());
            Assert.Equal(21_000UL, Q(receipt.GetProperty("gasUsed")));
            Assert.Equal(tx.Hash.ToString(), receipt.GetProperty("transactionHash").GetString());
            Assert.Equal(tx.Sender.ToString(), receipt.GetProperty("from").GetString());
            Assert.Equal(tx.Recipient.ToString(), receipt.GetProperty("to").GetString());
            Assert.Equal(JsonValueKind.Null, receipt.GetProperty("contractAddress").ValueKind);
            Assert.Equal(0, receipt.GetProperty("logs").GetArrayLength());
            AssertData(receipt.GetProperty("logsBloom"), 256);
            AssertData(receipt.GetProperty("blockHash"), 32);
            Assert.True(Q(receipt.GetProperty("cumulativeGasUsed")) >= 21_000UL);
            Assert.True(Q(receipt.GetProperty("blockNumber")) >= 1);
            Q(receipt.GetProperty("transactionIndex"));
        }
        // Prices: a legacy and a native transaction pay their gas price; a type-2 one min(maxFee, baseFee + tip).
        Assert.Equal(2 * Gwei, Q(legacyReceipt.GetProperty("effectiveGasPrice")));
        Assert.Equal(Math.Min(5 * Gwei, chain.Config.MinGasPrice + 2 * Gwei), Q(dynamicReceipt.GetProperty("effectiveGasPrice")));
        Assert.Equal(chain.Config.MinGasPrice, Q(nativeReceipt.GetProperty("effectiveGasPrice")));

        // Balances and nonces, exactly: value and gasUsed × effectiveGasPrice, nothing else.
        UInt128 Fee(JsonElement r) => (UInt128)Q(r.GetProperty("gasUsed")) * Q(r.GetProperty("effectiveGasPrice"));
        Assert.Equal(funded - 7 * Ether - Fee(legacyReceipt) - Fee(dynamicReceipt), Big(await rpc.CallAsync("eth_getBalance", sender.Address.ToString(), "latest")));
        Assert.Equal(funded + 7 * Ether, Big(await rpc.CallAsync("eth_getBalance", recipient.ToString(), "latest")));
        Assert.Equal(2UL, Q(await rpc.CallAsync("eth_getTransactionCount", sender.Address.ToString(), "latest")));
        Assert.Equal(2UL, Q(await rpc.CallAsync("eth_getTransactionCount", sender.Address.ToString(), "pending")));
        Assert.Equal(1UL, Q(await rpc.CallAsync("eth_getTransactionCount", chain.Account(0).Address.ToString(), "latest")));

        // Transactions as objects.
        var seen = await rpc.CallAsync("eth_getTransactionByHash", dynamic.Hash.ToString());
        Assert.Equal("0x2", seen.GetProperty("type").GetString());
        Assert.Equal(ethId, Q(seen.GetProperty("chainId")));
        Assert.Equal(1UL, Q(seen.GetProperty("nonce")));
        Assert.Equal(4 * Ether, Big(seen.GetProperty("value")));
        Assert.Equal(30_000UL, Q(seen.GetProperty("gas")));
        Assert.Equal(5 * Gwei, Q(seen.GetProperty("maxFeePerGas")));
        Assert.Equal(2 * Gwei, Q(seen.GetProperty("maxPriorityFeePerGas")));
        Assert.Equal(Q(dynamicReceipt.GetProperty("effectiveGasPrice")), Q(seen.GetProperty("gasPrice")));
        Assert.Equal(dynamic.SignatureV, Q(seen.GetProperty("yParity")));
        Assert.Equal(new BigInteger(dynamic.Signature.AsSpan(0, 32), isUnsigned: true, isBigEndian: true), BigInteger.Parse("0" + seen.GetProperty("r").GetString()![2..], NumberStyles.AllowHexSpecifier));
        Assert.Equal("0x", seen.GetProperty("input").GetString());
        Assert.Equal(dynamicReceipt.GetProperty("blockHash").GetString(), seen.GetProperty("blockHash").GetString());
        var legacySeen = await rpc.CallAsync("eth_getTransactionByHash", legacy.Hash.ToString());
        Assert.Equal(legacy.SignatureV, Q(legacySeen.GetProperty("v")));
        Assert.True(legacy.SignatureV >= ethId * 2 + 35, "EIP-155 v");
        var nativeSeen = await rpc.CallAsync("eth_getTransactionByHash", native.Hash.ToString());
        Assert.Equal("0x7f", nativeSeen.GetProperty("type").GetString());
        Assert.Equal(Convert.ToHexStringLower(native.SenderPublicKey), nativeSeen.GetProperty("ed25519PublicKey").GetString()![2..]);
        Assert.Equal("0x0", nativeSeen.GetProperty("r").GetString());
        Assert.Equal(JsonValueKind.Null, (await rpc.CallAsync("eth_getTransactionByHash", Hash32.Sha256([1, 2, 3]).ToString())).ValueKind);
        Assert.Equal(JsonValueKind.Null, (await rpc.CallAsync("eth_getTransactionReceipt", Hash32.Sha256([1, 2, 3]).ToString())).ValueKind);

        // Blocks by number and by hash, with hashes or whole transactions; the chain of parent hashes.
        var height = Q(nativeReceipt.GetProperty("blockNumber"));
        var block = await rpc.CallAsync("eth_getBlockByNumber", EthHex.Quantity(height), false);
        Assert.Contains(native.Hash.ToString(), block.GetProperty("transactions").EnumerateArray().Select(t => t.GetString()));
        foreach (var field in new[] { "number", "gasLimit", "gasUsed", "timestamp", "baseFeePerGas", "size", "difficulty" }) Q(block.GetProperty(field));
        foreach (var field in new[] { "hash", "parentHash", "stateRoot", "transactionsRoot", "receiptsRoot", "sha3Uncles", "mixHash" }) AssertData(block.GetProperty(field), 32);
        AssertData(block.GetProperty("logsBloom"), 256);
        AssertData(block.GetProperty("miner"), 20);
        AssertData(block.GetProperty("nonce"), 8);
        Assert.Equal("0x", block.GetProperty("extraData").GetString());
        Assert.Equal(0, block.GetProperty("uncles").GetArrayLength());
        Assert.Equal(chain.Config.MinGasPrice, Q(block.GetProperty("baseFeePerGas")));
        Assert.True(Q(block.GetProperty("gasUsed")) >= 21_000);
        var head = await chain.Chain.GetBlock(height);
        Assert.Equal(head!.Hash.ToString(), block.GetProperty("hash").GetString());
        Assert.Equal((ulong)(head.TimestampMs / 1000), Q(block.GetProperty("timestamp")));
        var full = await rpc.CallAsync("eth_getBlockByHash", block.GetProperty("hash").GetString(), true);
        var nativeInBlock = full.GetProperty("transactions").EnumerateArray().Single(t => t.GetProperty("hash").GetString() == native.Hash.ToString());
        Assert.Equal(nativeReceipt.GetProperty("transactionIndex").GetString(), nativeInBlock.GetProperty("transactionIndex").GetString());
        Assert.Equal(block.GetProperty("hash").GetString(), nativeInBlock.GetProperty("blockHash").GetString());
        var parent = await rpc.CallAsync("eth_getBlockByNumber", EthHex.Quantity(height - 1), false);
        Assert.Equal(parent.GetProperty("hash").GetString(), block.GetProperty("parentHash").GetString());
        var genesis = await rpc.CallAsync("eth_getBlockByNumber", "earliest", false);
        Assert.Equal("0x0", genesis.GetProperty("number").GetString());
        Assert.Equal(new string('0', 64), genesis.GetProperty("parentHash").GetString()![2..]);
        Assert.Equal("0x0", (await rpc.CallAsync("eth_getBlockByHash", genesis.GetProperty("hash").GetString(), false)).GetProperty("number").GetString());
        Assert.Equal(JsonValueKind.Null, (await rpc.CallAsync("eth_getBlockByNumber", EthHex.Quantity(1_000_000), false)).ValueKind);
        Assert.Equal(JsonValueKind.Null, (await rpc.CallAsync("eth_getBlockByHash", Hash32.Sha256([9]).ToString(), false)).ValueKind);
        Assert.True(Q(await rpc.CallAsync("eth_blockNumber")) >= height);

        // No contracts; gas is the core's rule.
        Assert.Equal("0x", (await rpc.CallAsync("eth_getCode", recipient.ToString(), "latest")).GetString());
        Assert.Equal("0x", (await rpc.CallAsync("eth_call", new { to = recipient.ToString(), data = "0x12345678" }, "latest")).GetString());
        Assert.Equal(21_000UL, Q(await rpc.CallAsync("eth_estimateGas", new { from = sender.Address.ToString(), to = recipient.ToString(), value = "0x1" })));
        Assert.Equal(ChainParameters.IntrinsicGas(4), Q(await rpc.CallAsync("eth_estimateGas", new { to = recipient.ToString(), input = "0x12345678" })));
        var creation = await rpc.ErrorAsync("eth_estimateGas", new { data = "0x6000" });
        Assert.Equal((int)AdmissionReason.Unsupported, creation.GetProperty("data").GetProperty("reason").GetInt32());

        // Fee history: a constant base fee (one more than the blocks), the gas used, the tips paid.
        // (Four blocks, or fewer when the transfers landed in block 1 or 2: the history starts at the genesis block.)
        var history = await rpc.CallAsync("eth_feeHistory", "0x4", EthHex.Quantity(height), new[] { 0, 50, 100 });
        var blocks = (int)Math.Min(4UL, height + 1);
        Assert.Equal(height + 1 - (ulong)blocks, Q(history.GetProperty("oldestBlock")));
        Assert.Equal(blocks + 1, history.GetProperty("baseFeePerGas").GetArrayLength());
        Assert.All(history.GetProperty("baseFeePerGas").EnumerateArray(), f => Assert.Equal(chain.Config.MinGasPrice, Q(f)));
        Assert.Equal(blocks, history.GetProperty("gasUsedRatio").GetArrayLength());
        Assert.True(history.GetProperty("gasUsedRatio")[blocks - 1].GetDouble() > 0);
        Assert.Equal(3, history.GetProperty("reward")[blocks - 1].GetArrayLength());
        var capped = await rpc.CallAsync("eth_feeHistory", "0x400", "latest", Array.Empty<int>());
        Assert.True(capped.GetProperty("gasUsedRatio").GetArrayLength() <= RpcClusterFixture.Settings.MaxFeeHistoryBlocks);
    }

    [Fact]
    public async Task Pending_transactions_show_without_a_block_and_the_pending_nonce_counts_only_a_run_without_gaps()
    {
        var chain = await TestChain.Start(fixture.Client, "rpc-pending", ethAccounts: 2, accounts: 2);
        var rpc = fixture.For(chain.Id);
        var ethId = ChainParameters.DeriveEthChainId(chain.Id);
        var sender = EthKey.Derive(chain.Genesis.LoadTestSeed, 0);
        var to = EthKey.Derive(chain.Genesis.LoadTestSeed, 1).Address;
        var address = sender.Address.ToString();

        // Nonce 1 before nonce 0: it waits in the mempool (a gap), and the pending nonce does not count it.
        var second = EthTransactionCodec.SignLegacy(sender, ethId, 1, Gwei, 21_000, to, 1);
        await rpc.CallAsync("eth_sendRawTransaction", Raw(second));
        var waiting = await rpc.CallAsync("eth_getTransactionByHash", second.Hash.ToString());
        Assert.Equal(JsonValueKind.Null, waiting.GetProperty("blockHash").ValueKind);
        Assert.Equal(JsonValueKind.Null, waiting.GetProperty("blockNumber").ValueKind);
        Assert.Equal(JsonValueKind.Null, waiting.GetProperty("transactionIndex").ValueKind);
        Assert.Equal(Gwei, Q(waiting.GetProperty("gasPrice")));
        Assert.Equal(JsonValueKind.Null, (await rpc.CallAsync("eth_getTransactionReceipt", second.Hash.ToString())).ValueKind);
        Assert.Equal(0UL, Q(await rpc.CallAsync("eth_getTransactionCount", address, "pending")));
        Assert.Equal(0UL, Q(await rpc.CallAsync("eth_getTransactionCount", address, "latest")));

        // Nonce 0 fills the gap: pending is 2 at once (committed or not), and both commit in order.
        var first = EthTransactionCodec.SignLegacy(sender, ethId, 0, Gwei, 21_000, to, 1);
        await rpc.CallAsync("eth_sendRawTransaction", Raw(first));
        Assert.Equal(2UL, Q(await rpc.CallAsync("eth_getTransactionCount", address, "pending")));
        var r1 = await Receipt(rpc, first.Hash);
        var r2 = await Receipt(rpc, second.Hash);
        Assert.True(Q(r1.GetProperty("blockNumber")) * 100_000 + Q(r1.GetProperty("transactionIndex")) < Q(r2.GetProperty("blockNumber")) * 100_000 + Q(r2.GetProperty("transactionIndex")));
        Assert.Equal(2UL, Q(await rpc.CallAsync("eth_getTransactionCount", address, "latest")));
    }

    [Fact]
    public async Task Tags_name_the_soft_validated_and_finalized_heights_and_finalized_le_safe_le_latest()
    {
        var chain = await TestChain.Start(fixture.Client, "rpc-tags", ethAccounts: 1, accounts: 2);
        var rpc = fixture.For(chain.Id);
        var account = EthKey.Derive(chain.Genesis.LoadTestSeed, 0).Address.ToString();
        await Poll.Until(() => chain.Chain.GetHead(), h => h.FinalizedHeight >= 3, TimeSpan.FromSeconds(60), "finality");
        for (int i = 0; i < 20; i++)
        {
            // One batch: the endpoint answers it in order, so each height is read no earlier than the one before it.
            var (_, answer, _) = await rpc.PostAsync("""
                [{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["finalized",false]},
                 {"jsonrpc":"2.0","id":2,"method":"eth_getBlockByNumber","params":["safe",false]},
                 {"jsonrpc":"2.0","id":3,"method":"eth_getBlockByNumber","params":["latest",false]},
                 {"jsonrpc":"2.0","id":4,"method":"eth_getBlockByNumber","params":["pending",false]}]
                """);
            var heights = answer.EnumerateArray().Select(a => Q(a.GetProperty("result").GetProperty("number"))).ToArray();
            Assert.True(heights[0] <= heights[1] && heights[1] <= heights[2] && heights[2] <= heights[3], $"finalized ≤ safe ≤ latest ≤ pending: {string.Join(", ", heights)}");
        }
        var head = await chain.Chain.GetHead();
        Assert.True(head.FinalizedHeight <= Q((await rpc.CallAsync("eth_getBlockByNumber", "finalized", false)).GetProperty("number")));
        Assert.True(EthApi.SafeHeight(head) <= Q((await rpc.CallAsync("eth_getBlockByNumber", "safe", false)).GetProperty("number")));
        // The state at each tag; a height whose state the chain no longer holds is refused, with what it holds.
        foreach (var tag in new[] { "earliest", "finalized", "safe", "latest", "pending" })
            Assert.Equal((UInt128)1_000 * Ether, Big(await rpc.CallAsync("eth_getBalance", account, tag)));
        var old = await rpc.ErrorAsync("eth_getBalance", account, "0x1");
        Assert.Equal(RpcErrors.Server, old.GetProperty("code").GetInt32());
        Assert.Contains("historical state unavailable", old.GetProperty("message").GetString());
        Assert.Contains("header not found", (await rpc.ErrorAsync("eth_getBalance", account, EthHex.Quantity(head.Height + 1_000))).GetProperty("message").GetString());
        // EIP-1898 block objects.
        var latest = await rpc.CallAsync("eth_getBlockByNumber", "latest", false);
        Assert.Equal((UInt128)1_000 * Ether, Big(await rpc.CallAsync("eth_getBalance", account, new { blockHash = latest.GetProperty("hash").GetString() })));
        Assert.Equal((UInt128)1_000 * Ether, Big(await rpc.CallAsync("eth_getBalance", account, new { blockNumber = latest.GetProperty("number").GetString() })));
    }

    [Fact]
    public async Task Batches_answer_in_order_skip_notifications_and_are_bounded()
    {
        var chain = await TestChain.Start(fixture.Client, "rpc-batch");
        var rpc = fixture.For(chain.Id);
        var (status, answer, _) = await rpc.PostAsync("""
            [{"jsonrpc":"2.0","id":"a","method":"eth_chainId"},
             {"jsonrpc":"2.0","method":"eth_blockNumber"},
             {"jsonrpc":"2.0","id":7,"method":"eth_nothing"},
             42,
             {"jsonrpc":"2.0","id":null,"method":"net_version"}]
            """);
        Assert.Equal(200, status);
        var answers = answer.EnumerateArray().ToArray();
        Assert.Equal(4, answers.Length); // the notification gets none
        Assert.Equal("a", answers[0].GetProperty("id").GetString());
        Assert.Equal(ChainParameters.DeriveEthChainId(chain.Id), Q(answers[0].GetProperty("result")));
        Assert.Equal(7, answers[1].GetProperty("id").GetInt32());
        Assert.Equal(RpcErrors.MethodNotFound, answers[1].GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(RpcErrors.InvalidRequest, answers[2].GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(JsonValueKind.Null, answers[3].GetProperty("id").ValueKind);
        Assert.Equal(JsonValueKind.String, answers[3].GetProperty("result").ValueKind);

        var (_, empty, _) = await rpc.PostAsync("[]");
        Assert.Equal(RpcErrors.InvalidRequest, empty.GetProperty("error").GetProperty("code").GetInt32());
        var tooLong = "[" + string.Join(",", Enumerable.Range(0, RpcClusterFixture.Settings.MaxBatchSize + 1).Select(i => $$"""{"jsonrpc":"2.0","id":{{i}},"method":"eth_chainId"}""")) + "]";
        var (_, refused, _) = await rpc.PostAsync(tooLong);
        Assert.Equal(JsonValueKind.Object, refused.ValueKind); // one error for the whole batch
        Assert.Equal(RpcErrors.InvalidRequest, refused.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains("Rpc:MaxBatchSize", refused.GetProperty("error").GetProperty("message").GetString());
        var (noContent, _, text) = await rpc.PostAsync("""{"jsonrpc":"2.0","method":"eth_chainId"}""");
        Assert.Equal(204, noContent);
        Assert.Equal("", text);
    }

    [Fact]
    public async Task Bad_requests_get_standard_codes_and_one_line_messages_and_change_nothing()
    {
        var chain = await TestChain.Start(fixture.Client, "rpc-errors", ethAccounts: 2, accounts: 2);
        var rpc = fixture.For(chain.Id);
        var account = EthKey.Derive(chain.Genesis.LoadTestSeed, 0).Address.ToString();
        var before = (await chain.Chain.GetAccounts([EthKey.Derive(chain.Genesis.LoadTestSeed, 0).Address]))[0];

        async Task<(int Code, string Message)> Post(string body, int status = 200)
        {
            var (http, answer, text) = await rpc.PostAsync(body);
            Assert.True(http == status, $"HTTP {http} for {body[..Math.Min(body.Length, 80)]}: {text[..Math.Min(text.Length, 300)]}");
            Assert.DoesNotContain("   at ", text);
            Assert.DoesNotContain("Exception", text);
            var error = answer.GetProperty("error");
            var message = error.GetProperty("message").GetString()!;
            Assert.DoesNotContain('\n', message);
            return (error.GetProperty("code").GetInt32(), message);
        }
        async Task<int> Code(string body) => (await Post(body)).Code;

        Assert.Equal(RpcErrors.ParseError, await Code("{\"jsonrpc\":\"2.0\",\"id\":1,"));
        Assert.Equal(RpcErrors.ParseError, await Code("not json"));
        Assert.Equal(RpcErrors.ParseError, await Code(new string('[', 100) + new string(']', 100)));        // too deep
        Assert.Equal(RpcErrors.InvalidRequest, await Code("\"eth_chainId\""));
        Assert.Equal(RpcErrors.InvalidRequest, await Code("""{"id":1,"method":"eth_chainId"}"""));              // no jsonrpc
        Assert.Equal(RpcErrors.InvalidRequest, await Code("""{"jsonrpc":"1.0","id":1,"method":"eth_chainId"}"""));
        Assert.Equal(RpcErrors.InvalidRequest, await Code("""{"jsonrpc":"2.0","id":1,"method":12}"""));
        Assert.Equal(RpcErrors.InvalidRequest, await Code("""{"jsonrpc":"2.0","id":{"x":1},"method":"eth_chainId"}"""));
        Assert.Equal(RpcErrors.InvalidRequest, await Code("""{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":"x"}"""));
        Assert.Equal(RpcErrors.InvalidParams, await Code("""{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":{"address":"0x00"}}"""));
        var unknown = await Post("""{"jsonrpc":"2.0","id":1,"method":"eth_getLogs\u0000\u0007","params":[]}""");
        Assert.Equal(RpcErrors.MethodNotFound, unknown.Code);
        Assert.Matches("^the method eth_getLogs\\?\\? does not exist", unknown.Message);

        // Wrong types, sizes and numbers: -32602, naming the argument.
        async Task Invalid(string method, params object?[] parameters)
        {
            var error = await rpc.ErrorAsync(method, parameters);
            Assert.True(error.GetProperty("code").GetInt32() == RpcErrors.InvalidParams, $"{method}: {error}");
        }
        await Invalid("eth_getBalance");                                                   // missing
        await Invalid("eth_getBalance", 42, "latest");                                     // a number
        await Invalid("eth_getBalance", "0x" + new string('1', 42), "latest");             // 21 bytes
        await Invalid("eth_getBalance", "0x" + new string('z', 40), "latest");             // not hex
        await Invalid("eth_getBalance", new string('1', 40), "latest");                    // no 0x
        await Invalid("eth_getBalance", account, "0x" + new string('f', 17));              // > 64 bits
        await Invalid("eth_getBalance", account, "0x01");                                  // leading zero
        await Invalid("eth_getBalance", account, "latest", "extra");                       // too many
        await Invalid("eth_getBalance", account, "newest");                                // no such tag
        await Invalid("eth_getBlockByNumber", "latest", "yes");                            // not a boolean
        await Invalid("eth_getTransactionByHash", "0x1234");                               // short hash
        await Invalid("eth_sendRawTransaction", "0x123");                                  // odd length
        await Invalid("eth_estimateGas", new { to = account, value = "0x1" + new string('0', 64) }); // > 256 bits
        await Invalid("eth_estimateGas", new { to = account, data = "0x01", input = "0x02" });
        await Invalid("eth_feeHistory", "0x4", "latest", new[] { 50, 10 });                // not ascending
        await Invalid("eth_feeHistory", "0x4", "latest", new[] { 101 });

        // A body over Rpc:MaxRequestBytes: HTTP 413 with a JSON-RPC error.
        var huge = $$"""{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["0x{{new string('a', RpcClusterFixture.Settings.MaxRequestBytes)}}"]}""";
        Assert.Equal(RpcErrors.InvalidRequest, (await Post(huge, 413)).Code);

        // Unknown and malformed chains.
        Assert.Contains("does not exist", (await fixture.For("no-such-chain-here").ErrorAsync("eth_chainId")).GetProperty("message").GetString());
        Assert.Contains("does not exist", (await fixture.Default.ErrorAsync("eth_blockNumber")).GetProperty("message").GetString());
        Assert.Contains("not a chain id", (await fixture.For("UPPER").ErrorAsync("eth_chainId")).GetProperty("message").GetString());

        var after = (await chain.Chain.GetAccounts([EthKey.Derive(chain.Genesis.LoadTestSeed, 0).Address]))[0];
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Every_admission_refusal_has_one_message_clients_recognise_and_its_reason_code_in_data()
    {
        // One message per reason, and each different.
        var reasons = Enum.GetValues<AdmissionReason>().Where(r => r != AdmissionReason.Ok).ToArray();
        Assert.Equal(reasons.Length, reasons.Select(RpcErrors.MessageOf).Distinct().Count());
        Assert.DoesNotContain(reasons, r => RpcErrors.MessageOf(r) == "transaction refused");
        Assert.Equal("nonce too low", RpcErrors.MessageOf(AdmissionReason.NonceUsed));
        Assert.Equal("already known", RpcErrors.MessageOf(AdmissionReason.Duplicate));
        Assert.Equal("transaction underpriced", RpcErrors.MessageOf(AdmissionReason.GasPriceTooLow));
        Assert.StartsWith("insufficient funds", RpcErrors.MessageOf(AdmissionReason.InsufficientBalance));

        var chain = await TestChain.Start(fixture.Client, "rpc-refusals", ethAccounts: 2, accounts: 2);
        var rpc = fixture.For(chain.Id);
        var ethId = ChainParameters.DeriveEthChainId(chain.Id);
        var key = EthKey.Derive(chain.Genesis.LoadTestSeed, 0);
        var to = EthKey.Derive(chain.Genesis.LoadTestSeed, 1).Address;
        var ok = EthTransactionCodec.SignLegacy(key, ethId, 0, Gwei, 21_000, to, 1);
        await rpc.CallAsync("eth_sendRawTransaction", Raw(ok));
        await Receipt(rpc, ok.Hash);
        var before = (await chain.Chain.GetAccounts([key.Address]))[0];

        async Task Refused(string raw, AdmissionReason reason, string message)
        {
            var error = await rpc.ErrorAsync("eth_sendRawTransaction", raw);
            Assert.Equal(RpcErrors.Server, error.GetProperty("code").GetInt32());
            Assert.StartsWith(message, error.GetProperty("message").GetString());
            Assert.Equal((int)reason, error.GetProperty("data").GetProperty("reason").GetInt32());
            Assert.Equal(reason.ToString(), error.GetProperty("data").GetProperty("name").GetString());
        }
        await Refused("0x" + Convert.ToHexStringLower(ok.Encoded.AsSpan(0, 20)), AdmissionReason.BadEncoding, "rlp: invalid transaction encoding");
        await Refused(Raw(EthTransactionCodec.SignLegacy(key, ethId + 1, 1, Gwei, 21_000, to, 1)), AdmissionReason.WrongChain, "invalid chain id for signer");
        await Refused(Raw(EthTransactionCodec.SignLegacy(key, ethId, 1, Gwei - 1, 21_000, to, 1)), AdmissionReason.GasPriceTooLow, "transaction underpriced");
        await Refused(Raw(EthTransactionCodec.SignLegacy(key, ethId, 0, Gwei, 21_000, to, 2)), AdmissionReason.NonceUsed, "nonce too low");
        await Refused(Raw(EthTransactionCodec.SignLegacy(key, ethId, 1, Gwei, 21_000, to, 10_000 * Ether)), AdmissionReason.InsufficientBalance, "insufficient funds");
        await Refused(Raw(ok), AdmissionReason.Duplicate, "already known");
        await Refused(Raw(EthTransactionCodec.SignLegacy(key, ethId, 1, Gwei, 20_999, to, 1)), AdmissionReason.GasLimitTooLow, "intrinsic gas too low");
        await Refused(Raw(EthTransactionCodec.SignLegacy(key, ethId, 1, Gwei, 100_000, to, 1, new byte[2_000])), AdmissionReason.TooLarge, "oversized data");
        await Refused(Raw(EthTransactionCodec.SignLegacy(key, ethId, 1_000, Gwei, 21_000, to, 1)), AdmissionReason.NonceTooFarAhead, "nonce too high");
        await Refused("0x01" + Convert.ToHexStringLower(ok.Encoded), AdmissionReason.Unsupported, "transaction type not supported"); // an EIP-2930 type byte
        Assert.Equal(before, (await chain.Chain.GetAccounts([key.Address]))[0]);
        Assert.Equal(1UL, Q(await rpc.CallAsync("eth_getTransactionCount", key.Address.ToString(), "pending")));
    }

    [Fact]
    public async Task A_receipt_follows_its_transaction_through_a_rollback_and_a_rolled_back_block_is_gone()
    {
        var chain = await TestChain.Start(fixture.Client, "rpc-rollback", ethAccounts: 4, accounts: 2);
        var rpc = fixture.For(chain.Id);
        var ethId = ChainParameters.DeriveEthChainId(chain.Id);
        await chain.WaitForHeight(2);
        var term = (await chain.Rotation.GetCurrent())!;
        await chain.Sequencer(term.LeaderId).InjectFault(new SequencerFault(SequencerFaultKind.WrongStateRoot));
        var keys = Enumerable.Range(0, 3).Select(i => EthKey.Derive(chain.Genesis.LoadTestSeed, (ulong)i)).ToArray();
        var to = EthKey.Derive(chain.Genesis.LoadTestSeed, 3).Address;
        var txs = keys.Select(k => EthTransactionCodec.SignLegacy(k, ethId, 0, Gwei, 21_000, to, 1)).ToArray();
        foreach (var tx in txs) await rpc.CallAsync("eth_sendRawTransaction", Raw(tx));

        // Watch the head while the bad block is challenged: the hashes seen at each height.
        var seen = new Dictionary<ulong, HashSet<string>>();
        var rollback = (await Poll.Until(async () =>
        {
            var latest = await rpc.CallAsync("eth_getBlockByNumber", "latest", false);
            var at = Q(latest.GetProperty("number"));
            if (!seen.TryGetValue(at, out var hashes)) seen[at] = hashes = [];
            hashes.Add(latest.GetProperty("hash").GetString()!);
            return await chain.Chain.GetRollbacks();
        }, r => r.Length > 0, TimeSpan.FromSeconds(30), "a rollback"))[0];
        Assert.True(rollback.Depth >= 1);

        // Every transaction ends up in exactly one canonical block, and its receipt names that block.
        foreach (var tx in txs)
        {
            var receipt = await Poll.Until(async () =>
            {
                var r = await rpc.CallAsync("eth_getTransactionReceipt", tx.Hash.ToString());
                if (r.ValueKind != JsonValueKind.Object) return (Receipt: r, Canonical: false);
                var block = await rpc.CallAsync("eth_getBlockByNumber", r.GetProperty("blockNumber").GetString(), false);
                return (Receipt: r, Canonical: block.ValueKind == JsonValueKind.Object && block.GetProperty("hash").GetString() == r.GetProperty("blockHash").GetString());
            }, x => x.Canonical, TimeSpan.FromSeconds(30), $"a canonical receipt of {tx.Hash}");
            var block = await rpc.CallAsync("eth_getBlockByHash", receipt.Receipt.GetProperty("blockHash").GetString(), false);
            Assert.Contains(tx.Hash.ToString(), block.GetProperty("transactions").EnumerateArray().Select(t => t.GetString()));
            Assert.Equal("0x1", receipt.Receipt.GetProperty("status").GetString());
        }
        // A block hash seen at a rolled-back height that is no longer the canonical one names nothing any more (when the
        // watch saw the bad block before its challenge removed it).
        foreach (var (height, hashes) in seen.Where(kv => kv.Key >= rollback.FromHeight && kv.Key < rollback.FromHeight + (ulong)rollback.Depth))
        {
            var canonical = (await chain.Chain.GetBlock(height))?.Hash.ToString();
            foreach (var hash in hashes.Where(h => h != canonical))
                Assert.Equal(JsonValueKind.Null, (await rpc.CallAsync("eth_getBlockByHash", hash, false)).ValueKind);
        }
    }

    /// <summary>A chain of 10-block epochs and 5-block batches (<paramref name="configure"/> adds the rest) and the receipt
    /// of one legacy transfer from its Ethereum account 0 to account 1.</summary>
    private async Task<(TestChain Chain, RpcClient Rpc, EthKey Key, Transaction Tx, JsonElement Receipt)> ChainWithOneTransfer(string name, Action<Abstractions.Config.ChainConfig> configure)
    {
        var chain = await TestChain.Start(fixture.Client, name, c =>
        {
            c.EpochLength = 10;
            c.BatchSize = 5;
            configure(c);
        }, ethAccounts: 2, accounts: 2);
        var rpc = fixture.For(chain.Id);
        var key = EthKey.Derive(chain.Genesis.LoadTestSeed, 0);
        var tx = EthTransactionCodec.SignLegacy(key, ChainParameters.DeriveEthChainId(chain.Id), 0, Gwei, 21_000, EthKey.Derive(chain.Genesis.LoadTestSeed, 1).Address, 1);
        await rpc.CallAsync("eth_sendRawTransaction", Raw(tx));
        return (chain, rpc, key, tx, await Receipt(rpc, tx.Hash));
    }

    [Fact]
    public async Task Pruned_history_is_refused_by_number_and_unknown_by_hash()
    {
        var (chain, rpc, key, early, receipt) = await ChainWithOneTransfer("rpc-retention", c =>
        {
            c.CheckpointInterval = 20;
            c.HistoryRetentionBlocks = 20;
        });
        var blockHash = receipt.GetProperty("blockHash").GetString();
        var height = Q(receipt.GetProperty("blockNumber"));

        // Past the retention window the block is pruned: by number a clear refusal, by hash (and the transaction) unknown.
        await Poll.Until(() => chain.Chain.GetHead(), h => h.OldestRetainedHeight > height + 5, TimeSpan.FromSeconds(90), "the block pruned");
        var pruned = await rpc.ErrorAsync("eth_getBlockByNumber", EthHex.Quantity(height), false);
        Assert.Equal(RpcErrors.Server, pruned.GetProperty("code").GetInt32());
        Assert.StartsWith("pruned history unavailable", pruned.GetProperty("message").GetString());
        Assert.Equal(JsonValueKind.Null, (await rpc.CallAsync("eth_getBlockByHash", blockHash, false)).ValueKind);
        Assert.Equal(JsonValueKind.Null, (await rpc.CallAsync("eth_getTransactionReceipt", early.Hash.ToString())).ValueKind);
        Assert.Equal(JsonValueKind.Null, (await rpc.CallAsync("eth_getTransactionByHash", early.Hash.ToString())).ValueKind);
        // The genesis block and state stay.
        Assert.Equal("0x0", (await rpc.CallAsync("eth_getBlockByNumber", "earliest", false)).GetProperty("number").GetString());
        Assert.Equal((UInt128)1_000 * Ether, Big(await rpc.CallAsync("eth_getBalance", key.Address.ToString(), "earliest")));
    }

    [Fact]
    public async Task A_reactivated_chain_finds_transactions_and_blocks_at_or_below_its_checkpoint_again()
    {
        var (chain, rpc, _, tx, receipt) = await ChainWithOneTransfer("rpc-reactivate", c => c.CheckpointInterval = 5);
        var height = Q(receipt.GetProperty("blockNumber"));
        var byHash = await rpc.CallAsync("eth_getBlockByHash", receipt.GetProperty("blockHash").GetString(), true);

        // The checkpoint passes the block; then the chain is deactivated: it replays only the blocks after its
        // checkpoint, and the lookup index back-fills the rest.
        await Poll.Until(() => chain.Chain.GetRetention(), v => v.CheckpointHeight >= height + 5, TimeSpan.FromSeconds(90), "a checkpoint above the transfer");
        await TestDeactivation.DeactivateChain(chain.Chain);
        var again = await Poll.Until(() => rpc.CallAsync("eth_getTransactionReceipt", tx.Hash.ToString()), r => r.ValueKind == JsonValueKind.Object,
            TimeSpan.FromSeconds(30), "the receipt after the reactivation");
        Assert.Equal(receipt.GetRawText(), again.GetRawText());
        Assert.Equal(byHash.GetRawText(), (await rpc.CallAsync("eth_getBlockByHash", receipt.GetProperty("blockHash").GetString(), true)).GetRawText());
        Assert.Equal(TxLevel.Finalized, (await chain.Chain.GetTxStatus(tx.Hash)).Level);
        var retention = await chain.Chain.GetRetention();
        Assert.True(retention.IndexedHeights >= (int)retention.Height - 1, $"every height indexed again: {retention}");
    }
}

/// <summary>The pool and TKN seen from Ethereum tools: a swap sent raw, a failing one's receipt status 0, and the read-only
/// calls eth_call answers (docs/JSON-RPC.md, PROTOCOL.md §12).</summary>
[Collection(RpcClusterCollection.Name)]
public sealed class RpcSwapTests(RpcClusterFixture fixture)
{
    private static readonly ulong CallGas = ChainParameters.IntrinsicGas(Core.Amm.AmmCodec.SwapLength);

    private static string Word(UInt128 value) => value.ToString("x").PadLeft(64, '0');

    [Fact]
    public async Task A_swap_goes_through_eth_sendRawTransaction_and_eth_call_reads_the_pool_and_TKN()
    {
        var chain = await TestChain.Start(fixture.Client, "rpc-swap", ethAccounts: 1, accounts: 1, tkn: 50, poolNative: 100, poolTkn: 10_000);
        var rpc = fixture.For(chain.Id);
        var key = EthKey.Derive(chain.Genesis.LoadTestSeed, 0);
        var rules = chain.Config.ToChainParameters();
        var pool = Core.Amm.SystemAddresses.Pool.ToString();
        var token = Core.Amm.SystemAddresses.Token.ToString();
        var e18 = Token.OneToken;

        // getAmountOut(uint256 amountIn, address tokenIn) — the quote a wallet would read before it sets its minimum.
        var quoteData = "0x" + Convert.ToHexStringLower(Core.Amm.AmmViews.GetAmountOut) + Word(2 * e18) + Word(0);
        var quote = UInt128.Parse((await rpc.CallAsync("eth_call", new { to = pool, data = quoteData }, "latest")).GetString()![2..], NumberStyles.AllowHexSpecifier);
        Assert.Equal(Core.Amm.ConstantProduct.GetAmountOut(2 * e18, 100 * e18, 10_000 * e18), quote);

        var swap = EthTransactionCodec.SignDynamicFee(key, rules.EthChainId, 0, 0, rules.BaseFeePerGas, CallGas, Core.Amm.SystemAddresses.Pool, 0,
            Core.Amm.AmmCodec.Encode(Core.Amm.AmmCall.Swap(Core.Amm.Asset.Native, 2 * e18, quote)));
        var failing = EthTransactionCodec.SignDynamicFee(key, rules.EthChainId, 1, 0, rules.BaseFeePerGas, CallGas, Core.Amm.SystemAddresses.Pool, 0,
            Core.Amm.AmmCodec.Encode(Core.Amm.AmmCall.Swap(Core.Amm.Asset.Native, 2 * e18, quote))); // the same minimum after the price moved
        Assert.Equal(swap.Hash.ToString(), (await rpc.CallAsync("eth_sendRawTransaction", "0x" + Convert.ToHexStringLower(swap.Encoded))).GetString());
        Assert.Equal(failing.Hash.ToString(), (await rpc.CallAsync("eth_sendRawTransaction", "0x" + Convert.ToHexStringLower(failing.Encoded))).GetString());
        var receipt = await Poll.Until(() => rpc.CallAsync("eth_getTransactionReceipt", failing.Hash.ToString()), r => r.ValueKind == JsonValueKind.Object,
            TimeSpan.FromSeconds(30), "the failing swap's receipt");
        Assert.Equal("0x0", receipt.GetProperty("status").GetString());
        Assert.Equal("0x1", (await rpc.CallAsync("eth_getTransactionReceipt", swap.Hash.ToString())).GetProperty("status").GetString());
        var height = receipt.GetProperty("blockNumber").GetString();

        var balanceData = "0x" + Convert.ToHexStringLower(Core.Amm.AmmViews.BalanceOf) + new string('0', 24) + key.Address.ToString()[2..];
        var balance = (await rpc.CallAsync("eth_call", new { to = token, data = balanceData }, height)).GetString();
        Assert.Equal("0x" + Word(50 * e18 + quote), balance);
        var reserves = (await rpc.CallAsync("eth_call", new { to = pool, data = "0x0902f1ac" }, height)).GetString();
        Assert.Equal("0x" + Word(102 * e18) + Word(10_000 * e18 - quote) + Word(0), reserves);
        Assert.Equal("0x" + Word(18), (await rpc.CallAsync("eth_call", new { to = token, data = "0x313ce567" }, "latest")).GetString());
        var symbol = (await rpc.CallAsync("eth_call", new { to = token, data = "0x95d89b41" }, "latest")).GetString()!;
        Assert.Equal("TKN", System.Text.Encoding.UTF8.GetString(Convert.FromHexString(symbol[2..])[64..67]));
        // A call no system address answers, or to an ordinary account, returns empty data as code without that function does.
        Assert.Equal("0x", (await rpc.CallAsync("eth_call", new { to = pool, data = "0x12345678" }, "latest")).GetString());
        Assert.Equal("0x", (await rpc.CallAsync("eth_call", new { to = key.Address.ToString(), data = balanceData }, "latest")).GetString());
        Assert.True((await chain.Chain.AuditSupply()).Conserved);
    }
}
