using System.Collections.Concurrent;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;

namespace ActorRollup.Rpc;

/// <summary>
/// The Ethereum methods (docs/JSON-RPC.md), each a thin read of the chain's grains — public queries and admission only,
/// never an operator or internal call — shaped by <see cref="EthShapes"/>. Block tags: latest and pending are the
/// soft-confirmed head, safe the validated height, finalized the finalized height, earliest the genesis; always
/// finalized ≤ safe ≤ latest.
/// </summary>
public sealed class EthApi(IGrainFactory grains, RpcSettings settings)
{
    private delegate Task<JsonNode?> Method(Chain chain, RpcParams p, CancellationToken cancellationToken);

    /// <summary>What the endpoint keeps of a chain: its configuration (the genesis never changes).</summary>
    private sealed record Chain(string Id, ChainConfig Config, ulong EthChainId, ulong BaseFee, ulong GasLimit)
    {
        public IChainGrain Grain(IGrainFactory f) => f.Chain(Id);
    }

    private readonly ConcurrentDictionary<string, Chain> _chains = new(StringComparer.Ordinal);

    public static string ClientVersion { get; } =
        $"ActorRollup/v{typeof(EthApi).Assembly.GetName().Version?.ToString(3) ?? "0"}/{System.Runtime.InteropServices.RuntimeInformation.OSDescription.Split(' ')[0].ToLowerInvariant()}/dotnet{Environment.Version.ToString(2)}";

    /// <summary>Every method, by name, bound to a chain id.</summary>
    public IReadOnlyDictionary<string, Func<string, RpcParams, CancellationToken, Task<JsonNode?>>> Methods()
    {
        var table = new Dictionary<string, Method>(StringComparer.Ordinal)
        {
            ["eth_chainId"] = ChainId,
            ["net_version"] = NetVersion,
            ["web3_clientVersion"] = (_, p, _) => { p.AtMost(0); return Task.FromResult<JsonNode?>(ClientVersion); },
            ["eth_syncing"] = (_, p, _) => { p.AtMost(0); return Task.FromResult<JsonNode?>(false); },
            ["eth_blockNumber"] = BlockNumber,
            ["eth_gasPrice"] = (c, p, _) => { p.AtMost(0); return Task.FromResult<JsonNode?>(EthHex.Quantity(c.BaseFee)); },
            // Fees are not burned and the base fee is constant (PROTOCOL.md §2): a zero tip is admitted and pays the base fee.
            ["eth_maxPriorityFeePerGas"] = (_, p, _) => { p.AtMost(0); return Task.FromResult<JsonNode?>("0x0"); },
            ["eth_feeHistory"] = FeeHistory,
            ["eth_getBalance"] = GetBalance,
            ["eth_getTransactionCount"] = GetTransactionCount,
            ["eth_getCode"] = GetCode,
            ["eth_call"] = Call,
            ["eth_estimateGas"] = EstimateGas,
            ["eth_sendRawTransaction"] = SendRawTransaction,
            ["eth_getTransactionByHash"] = GetTransactionByHash,
            ["eth_getTransactionReceipt"] = GetTransactionReceipt,
            ["eth_getBlockByNumber"] = GetBlockByNumber,
            ["eth_getBlockByHash"] = GetBlockByHash,
        };
        return table.ToDictionary(kv => kv.Key, kv => (Func<string, RpcParams, CancellationToken, Task<JsonNode?>>)(async (chainId, p, ct) =>
            await kv.Value(await ChainOf(chainId), p, ct)), StringComparer.Ordinal);
    }

    private async Task<Chain> ChainOf(string chainId)
    {
        if (_chains.TryGetValue(chainId, out var known)) return known;
        if (!ChainParameters.IsValidChainId(chainId))
            throw new RpcException(RpcErrors.Server, "not a chain id (1-32 characters of a-z, 0-9 and '-')");
        var genesis = await grains.Chain(chainId).GetGenesis()
            ?? throw new RpcException(RpcErrors.Server, $"chain {chainId} does not exist (not bootstrapped yet)");
        var parameters = genesis.Config.ToChainParameters();
        var chain = new Chain(chainId, genesis.Config, parameters.EthChainId, parameters.BaseFeePerGas, EthShapes.BlockGasLimit(genesis.Config));
        if (_chains.Count >= 1_024) _chains.Clear(); // bounded: a chain's entry is cheap to read again
        return _chains.GetOrAdd(chainId, chain);
    }

    // ---------------------------------------------------------------- chain and head

    private static Task<JsonNode?> ChainId(Chain c, RpcParams p, CancellationToken _)
    {
        p.AtMost(0);
        return Task.FromResult<JsonNode?>(EthHex.Quantity(c.EthChainId));
    }

    private static Task<JsonNode?> NetVersion(Chain c, RpcParams p, CancellationToken _)
    {
        p.AtMost(0);
        return Task.FromResult<JsonNode?>(c.EthChainId.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private async Task<JsonNode?> BlockNumber(Chain c, RpcParams p, CancellationToken _)
    {
        p.AtMost(0);
        return EthHex.Quantity((await c.Grain(grains).GetHead()).Height);
    }

    /// <summary>safe: the validated height, or the finalized one when finality ran ahead of validation (a finalized block is
    /// never rolled back), never above the head.</summary>
    public static ulong SafeHeight(ChainHead head) => Math.Min(head.Height, Math.Max(head.ValidatedHeight, head.FinalizedHeight));

    public static ulong FinalizedHeight(ChainHead head) => Math.Min(head.Height, head.FinalizedHeight);

    /// <summary>The height a block parameter names: a tag, a hex number, or an EIP-1898 object ({blockNumber} or
    /// {blockHash}); null when <paramref name="tag"/> is absent (latest).</summary>
    private async Task<(ChainHead Head, ulong Height)> Resolve(Chain c, JsonElement? tag)
    {
        var head = await c.Grain(grains).GetHead();
        if (tag is not { } t) return (head, head.Height);
        if (t.ValueKind == JsonValueKind.Object)
        {
            if (t.TryGetProperty("blockHash", out var hashElement))
            {
                var hash = EthHex.ParseHash(hashElement, "blockHash");
                var block = await c.Grain(grains).GetBlockReceiptsByHash(hash)
                    ?? throw new RpcException(RpcErrors.Server, $"header for hash {hash} not found");
                return (head, block.Header.Height);
            }
            if (t.TryGetProperty("blockNumber", out var numberElement)) return await Resolve(c, numberElement);
            throw EthHex.Bad("a block object names blockHash or blockNumber");
        }
        if (t.ValueKind != JsonValueKind.String) throw EthHex.Bad($"block: a tag or a hex number, not {EthHex.Kind(t)}");
        return t.GetString() switch
        {
            "latest" or "pending" => (head, head.Height),
            "safe" => (head, SafeHeight(head)),
            "finalized" => (head, FinalizedHeight(head)),
            "earliest" => (head, 0UL),
            _ => (head, EthHex.ParseQuantity(t, "block number")),
        };
    }

    /// <summary>A height whose state is read: at or below the head, and held by the chain.</summary>
    private async Task<AccountsAt> AccountsAt(Chain c, JsonElement? tag, Address address)
    {
        var (head, height) = await Resolve(c, tag);
        if (height > head.Height) throw new RpcException(RpcErrors.Server, "header not found");
        var accounts = await c.Grain(grains).GetAccountsAt(height, [address]);
        if (!accounts.Available)
            throw new RpcException(RpcErrors.Server,
                $"historical state unavailable: the chain holds the state of blocks {accounts.OldestStateHeight} to {head.Height} (the head and its rollback targets)");
        return accounts;
    }

    // ---------------------------------------------------------------- state

    private async Task<JsonNode?> GetBalance(Chain c, RpcParams p, CancellationToken _)
    {
        p.AtMost(2);
        var address = EthHex.ParseAddress(p.Required(0, "address"), "address");
        var accounts = await AccountsAt(c, p.Optional(1), address);
        return EthHex.Quantity(accounts.Accounts[0].Balance);
    }

    private async Task<JsonNode?> GetTransactionCount(Chain c, RpcParams p, CancellationToken _)
    {
        p.AtMost(2);
        var address = EthHex.ParseAddress(p.Required(0, "address"), "address");
        var tag = p.Optional(1);
        var accounts = await AccountsAt(c, tag, address);
        var nonce = accounts.Accounts[0].Nonce;
        if (tag is { ValueKind: JsonValueKind.String } t && t.GetString() == "pending")
            nonce = Math.Max(nonce, await grains.Mempool(c.Id).GetPendingNonce(address));
        return EthHex.Quantity(nonce);
    }

    /// <summary>No contracts: every account's code is empty (the block parameter is still checked).</summary>
    private async Task<JsonNode?> GetCode(Chain c, RpcParams p, CancellationToken _)
    {
        p.AtMost(2);
        EthHex.ParseAddress(p.Required(0, "address"), "address");
        var (head, height) = await Resolve(c, p.Optional(1));
        if (height > head.Height) throw new RpcException(RpcErrors.Server, "header not found");
        return "0x";
    }

    /// <summary>No contracts: a call returns no data (the call object and the block parameter are still checked) — except the
    /// read-only calls the system addresses answer at that block's state (TKN's ERC-20 views, the pool's getReserves and
    /// getAmountOut: Core.Amm.AmmViews).</summary>
    private async Task<JsonNode?> Call(Chain c, RpcParams p, CancellationToken _)
    {
        p.AtMost(3);
        var call = ParseCall(p.Required(0, "transaction"), c);
        var (head, height) = await Resolve(c, p.Optional(1));
        if (height > head.Height) throw new RpcException(RpcErrors.Server, "header not found");
        if (call.To is not { } to || !Core.Amm.SystemAddresses.IsSystem(to)) return "0x";
        var reads = Core.Amm.AmmViews.Reads(to, call.Data);
        Core.Execution.Account[] read = [];
        if (reads.Length > 0)
        {
            var accounts = await c.Grain(grains).GetAccountsAt(height, reads);
            if (!accounts.Available)
                throw new RpcException(RpcErrors.Server,
                    $"historical state unavailable: the chain holds the state of blocks {accounts.OldestStateHeight} to {head.Height} (the head and its rollback targets)");
            read = accounts.Accounts;
        }
        var answer = Core.Amm.AmmViews.TryCall(to, call.Data, read);
        return answer is null ? "0x" : EthHex.Data(answer);
    }

    /// <summary>The gas a transfer with the call's data uses (the core's rule: 21,000 + 16 a data byte).</summary>
    private async Task<JsonNode?> EstimateGas(Chain c, RpcParams p, CancellationToken _)
    {
        p.AtMost(3);
        var call = ParseCall(p.Required(0, "transaction"), c);
        if (p.Optional(1) is { } tag)
        {
            var (head, height) = await Resolve(c, tag);
            if (height > head.Height) throw new RpcException(RpcErrors.Server, "header not found");
        }
        if (call.To is null) throw RpcErrors.Refusal(AdmissionReason.Unsupported, "contract creation (no \"to\")");
        return EthHex.Quantity(ChainParameters.IntrinsicGas(call.Data.Length));
    }

    private readonly record struct CallObject(Address? To, byte[] Data);

    /// <summary>Checks a call object's fields (types and sizes); returns its recipient and data.</summary>
    private static CallObject ParseCall(JsonElement call, Chain c)
    {
        if (call.ValueKind != JsonValueKind.Object) throw EthHex.Bad($"transaction: an object, not {EthHex.Kind(call)}");
        Address? to = null;
        byte[]? data = null, input = null;
        foreach (var field in call.EnumerateObject())
        {
            var v = field.Value;
            switch (field.Name)
            {
                case "from": if (v.ValueKind != JsonValueKind.Null) EthHex.ParseAddress(v, "from"); break;
                case "to": if (v.ValueKind != JsonValueKind.Null) to = EthHex.ParseAddress(v, "to"); break;
                case "gas" or "nonce" or "type" or "chainId":
                    if (v.ValueKind != JsonValueKind.Null) EthHex.ParseQuantity(v, field.Name);
                    break;
                case "gasPrice" or "maxFeePerGas" or "maxPriorityFeePerGas" or "value":
                    if (v.ValueKind != JsonValueKind.Null) EthHex.ParseBigQuantity(v, field.Name, 256);
                    break;
                case "data": if (v.ValueKind != JsonValueKind.Null) data = EthHex.ParseData(v, "data", c.Config.MaxTransactionBytes); break;
                case "input": if (v.ValueKind != JsonValueKind.Null) input = EthHex.ParseData(v, "input", c.Config.MaxTransactionBytes); break;
                case "accessList":
                    if (v.ValueKind is not (JsonValueKind.Array or JsonValueKind.Null)) throw EthHex.Bad("accessList: an array");
                    break;
            }
        }
        if (data is not null && input is not null && !data.AsSpan().SequenceEqual(input))
            throw EthHex.Bad("both \"data\" and \"input\" are set and not equal");
        return new CallObject(to, input ?? data ?? []);
    }

    // ---------------------------------------------------------------- fees

    private async Task<JsonNode?> FeeHistory(Chain c, RpcParams p, CancellationToken _)
    {
        p.AtMost(3);
        var countElement = p.Required(0, "blockCount");
        ulong count = countElement.ValueKind == JsonValueKind.Number && countElement.TryGetUInt64(out var n) ? n : EthHex.ParseQuantity(countElement, "blockCount");
        var (head, newest) = await Resolve(c, p.Required(1, "newestBlock"));
        if (newest > head.Height) throw new RpcException(RpcErrors.Server, $"request beyond head block: requested {newest}, head {head.Height}");
        var percentiles = Percentiles(p.Optional(2));
        if (count == 0) return new JsonObject { ["oldestBlock"] = "0x0", ["baseFeePerGas"] = new JsonArray(), ["gasUsedRatio"] = new JsonArray() };
        count = Math.Min(Math.Min(count, (ulong)settings.MaxFeeHistoryBlocks), newest + 1);
        var oldest = newest + 1 - count;
        var chain = c.Grain(grains);
        var blocks = await Task.WhenAll(Enumerable.Range(0, (int)count).Select(i => chain.GetBlockReceipts(oldest + (ulong)i)));
        var baseFees = new JsonArray();
        var ratios = new JsonArray();
        var rewards = new JsonArray();
        foreach (var block in blocks)
        {
            var fee = block?.BaseFeePerGas ?? c.BaseFee;
            baseFees.Add(EthHex.Quantity(fee));
            ratios.Add(c.GasLimit == 0 || block is null ? 0.0 : (double)block.GasUsed / c.GasLimit);
            if (percentiles is not null) rewards.Add(Rewards(block, percentiles));
        }
        baseFees.Add(EthHex.Quantity(c.BaseFee)); // the next block's: constant
        var result = new JsonObject { ["oldestBlock"] = EthHex.Quantity(oldest), ["baseFeePerGas"] = baseFees, ["gasUsedRatio"] = ratios };
        if (percentiles is not null) result["reward"] = rewards;
        return result;
    }

    private static double[]? Percentiles(JsonElement? element)
    {
        if (element is not { } e) return null;
        if (e.ValueKind != JsonValueKind.Array) throw EthHex.Bad("rewardPercentiles: an array of numbers");
        if (e.GetArrayLength() > 100) throw EthHex.Bad("rewardPercentiles: at most 100 values");
        var values = new List<double>();
        foreach (var item in e.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetDouble(out var v) || v is < 0 or > 100 || double.IsNaN(v))
                throw EthHex.Bad("rewardPercentiles: each a number from 0 to 100");
            if (values.Count > 0 && v < values[^1]) throw EthHex.Bad("rewardPercentiles: in ascending order");
            values.Add(v);
        }
        return values.ToArray();
    }

    /// <summary>The priority fee (effective price − base fee) at each gas-weighted percentile of a block's included
    /// transactions; zeros for an empty block.</summary>
    private static JsonArray Rewards(BlockReceipts? block, double[] percentiles)
    {
        var tips = new List<(ulong Tip, ulong Gas)>();
        if (block is not null)
            for (int i = 0; i < block.Entries.Length; i++)
            {
                var receipt = block.ReceiptOf(i);
                if (!receipt.Included) continue;
                var price = block.Entries[i].Transaction.EffectiveGasPrice(block.BaseFeePerGas);
                tips.Add((price > block.BaseFeePerGas ? price - block.BaseFeePerGas : 0, receipt.GasUsed));
            }
        var result = new JsonArray();
        if (tips.Count == 0)
        {
            foreach (var _ in percentiles) result.Add("0x0");
            return result;
        }
        tips.Sort((a, b) => a.Tip.CompareTo(b.Tip));
        ulong total = tips.Aggregate(0UL, (sum, t) => sum + t.Gas);
        int index = 0;
        ulong cumulative = tips[0].Gas;
        foreach (var q in percentiles)
        {
            var threshold = (ulong)(total * q / 100);
            while (cumulative < threshold && index < tips.Count - 1) cumulative += tips[++index].Gas;
            result.Add(EthHex.Quantity(tips[index].Tip));
        }
        return result;
    }

    // ---------------------------------------------------------------- transactions

    private async Task<JsonNode?> SendRawTransaction(Chain c, RpcParams p, CancellationToken _)
    {
        p.AtMost(1);
        var raw = EthHex.ParseData(p.Required(0, "raw transaction"), "raw transaction", settings.MaxRequestBytes);
        var result = (await grains.GetGrain<IAdmissionGrain>(c.Id).Submit([raw]))[0];
        if (result.Admitted) return result.Hash.ToString();
        throw RpcErrors.Refusal(result.Reason, result.Reason switch
        {
            AdmissionReason.GasPriceTooLow => $"gas price (maxFeePerGas) below the base fee of {c.BaseFee} wei",
            AdmissionReason.WrongChain => $"this chain's id is {c.EthChainId}",
            AdmissionReason.TooLarge => $"more than {c.Config.MaxTransactionBytes} bytes",
            _ => null,
        });
    }

    private async Task<JsonNode?> GetTransactionByHash(Chain c, RpcParams p, CancellationToken _)
    {
        p.AtMost(1);
        var hash = EthHex.ParseHash(p.Required(0, "transaction hash"), "transaction hash");
        if (await c.Grain(grains).GetTransaction(hash) is { } found)
            return EthShapes.Transaction(found.Entry.Transaction, c.EthChainId, new EthShapes.Position(found.BlockHash, found.Height, found.Index), c.BaseFee);
        if (await grains.Mempool(c.Id).GetPendingTransaction(hash) is { } pending)
            return EthShapes.Transaction(pending.Transaction, c.EthChainId, null, c.BaseFee);
        return null;
    }

    private async Task<JsonNode?> GetTransactionReceipt(Chain c, RpcParams p, CancellationToken _)
    {
        p.AtMost(1);
        var hash = EthHex.ParseHash(p.Required(0, "transaction hash"), "transaction hash");
        return await c.Grain(grains).GetTransaction(hash) is { } found ? EthShapes.Receipt(found) : null;
    }

    // ---------------------------------------------------------------- blocks

    private async Task<JsonNode?> GetBlockByNumber(Chain c, RpcParams p, CancellationToken _)
    {
        p.AtMost(2);
        var tag = p.Required(0, "block number");
        var full = p.Optional(1) is { } f && EthHex.ParseBool(f, "full transactions");
        var (head, height) = await Resolve(c, tag);
        if (height > head.Height) return null;
        var block = await c.Grain(grains).GetBlockReceipts(height);
        return block is null ? null : EthShapes.Block(block, c.EthChainId, c.GasLimit, full);
    }

    private async Task<JsonNode?> GetBlockByHash(Chain c, RpcParams p, CancellationToken _)
    {
        p.AtMost(2);
        var hash = EthHex.ParseHash(p.Required(0, "block hash"), "block hash");
        var full = p.Optional(1) is { } f && EthHex.ParseBool(f, "full transactions");
        var block = await c.Grain(grains).GetBlockReceiptsByHash(hash);
        return block is null ? null : EthShapes.Block(block, c.EthChainId, c.GasLimit, full);
    }
}
