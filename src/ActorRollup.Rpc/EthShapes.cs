using System.Text.Json.Nodes;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Execution;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;

namespace ActorRollup.Rpc;

/// <summary>
/// Blocks, transactions and receipts in the shapes Ethereum clients parse (execution-apis; what ethers v6, viem and
/// Nethereum read). Where the chain has no Ethereum counterpart the value is stated in docs/JSON-RPC.md ("Shapes"):
/// roots are the chain's own, uncles and logs are empty, difficulty is 0.
/// </summary>
public static class EthShapes
{
    /// <summary>The EIP-2718 type native (Ed25519) transactions are shown with: the top of the typed range, used by no
    /// Ethereum transaction type (nor the OP Stack's 0x7e deposits).</summary>
    public const byte NativeType = 0x7f;

    private static readonly string ZeroHash = EthHex.Data(new byte[32]);
    private static readonly string EmptyBloom = EthHex.Data(new byte[256]);
    /// <summary>Keccak-256 of the RLP of an empty list: the uncle hash of a block with no uncles.</summary>
    private static readonly string EmptyUncleHash = Core.Crypto.Keccak.Hash([0xc0]).ToString();

    public static string TypeOf(Transaction tx) => tx.Format switch
    {
        TxFormat.EthLegacy => "0x0",
        TxFormat.EthDynamicFee => "0x2",
        _ => EthHex.Quantity(NativeType),
    };

    /// <summary>Where a transaction is: its block's hash and height and its index; null while pending.</summary>
    public readonly record struct Position(Hash32 BlockHash, ulong Height, int Index);

    /// <summary>A transaction object. <paramref name="baseFee"/> gives a mined type-2 transaction's gasPrice (the effective
    /// price, as geth shows it); pending, gasPrice is its maxFeePerGas.</summary>
    public static JsonObject Transaction(Transaction tx, ulong ethChainId, Position? at, ulong baseFee)
    {
        var o = new JsonObject
        {
            ["type"] = TypeOf(tx),
            ["chainId"] = EthHex.Quantity(tx.IsEthereum ? tx.EthChainId : ethChainId),
            ["nonce"] = EthHex.Quantity(tx.Nonce),
            ["from"] = tx.Sender.ToString(),
            ["to"] = tx.Recipient.ToString(),
            ["value"] = EthHex.Quantity(tx.Value),
            ["gas"] = EthHex.Quantity(tx.GasLimit),
            ["gasPrice"] = EthHex.Quantity(tx.Format == TxFormat.EthDynamicFee && at is not null ? tx.EffectiveGasPrice(baseFee) : tx.GasPrice),
            ["input"] = EthHex.Data(tx.Data),
            ["hash"] = tx.Hash.ToString(),
            ["blockHash"] = at?.BlockHash.ToString(),
            ["blockNumber"] = at is { } p ? EthHex.Quantity(p.Height) : null,
            ["transactionIndex"] = at is { } q ? EthHex.Quantity((ulong)q.Index) : null,
        };
        switch (tx.Format)
        {
            case TxFormat.EthDynamicFee:
                o["maxFeePerGas"] = EthHex.Quantity(tx.GasPrice);
                o["maxPriorityFeePerGas"] = EthHex.Quantity(tx.PriorityFeePerGas);
                o["accessList"] = new JsonArray();
                o["v"] = EthHex.Quantity(tx.SignatureV);
                o["yParity"] = EthHex.Quantity(tx.SignatureV);
                o["r"] = EthHex.Quantity(tx.Signature.AsSpan(0, 32));
                o["s"] = EthHex.Quantity(tx.Signature.AsSpan(32, 32));
                break;
            case TxFormat.EthLegacy:
                o["v"] = EthHex.Quantity(tx.SignatureV);
                o["r"] = EthHex.Quantity(tx.Signature.AsSpan(0, 32));
                o["s"] = EthHex.Quantity(tx.Signature.AsSpan(32, 32));
                break;
            default:
                // An Ed25519 signature is no (r, s, v): those read as zero, and the signature and key travel in fields of
                // their own that Ethereum clients ignore.
                o["v"] = "0x0";
                o["yParity"] = "0x0";
                o["r"] = "0x0";
                o["s"] = "0x0";
                o["ed25519PublicKey"] = EthHex.Data(tx.SenderPublicKey);
                o["ed25519Signature"] = EthHex.Data(tx.Signature);
                break;
        }
        return o;
    }

    /// <summary>The receipt of a transaction a block included.</summary>
    public static JsonObject Receipt(TxLookup lookup)
    {
        var tx = lookup.Entry.Transaction;
        return new JsonObject
        {
            ["type"] = TypeOf(tx),
            ["transactionHash"] = tx.Hash.ToString(),
            ["transactionIndex"] = EthHex.Quantity((ulong)lookup.Index),
            ["blockHash"] = lookup.BlockHash.ToString(),
            ["blockNumber"] = EthHex.Quantity(lookup.Height),
            ["from"] = tx.Sender.ToString(),
            ["to"] = tx.Recipient.ToString(),
            ["cumulativeGasUsed"] = EthHex.Quantity(lookup.CumulativeGasUsed),
            ["gasUsed"] = EthHex.Quantity(lookup.GasUsed),
            ["effectiveGasPrice"] = EthHex.Quantity(lookup.EffectiveGasPrice),
            ["contractAddress"] = null,
            ["logs"] = new JsonArray(),
            ["logsBloom"] = EmptyBloom,
            ["status"] = lookup.Outcome == ExecutionOutcome.Included ? "0x1" : "0x0",
        };
    }

    /// <summary>A block object, with transaction hashes or (<paramref name="full"/>) transaction objects.</summary>
    public static JsonObject Block(BlockReceipts block, ulong ethChainId, ulong gasLimit, bool full)
    {
        var h = block.Header;
        var transactions = new JsonArray();
        long size = h.Encode().Length;
        for (int i = 0; i < block.Entries.Length; i++)
        {
            var tx = block.Entries[i].Transaction;
            size += tx.Encoded.Length + sizeof(ulong); // the transaction and its arrival sequence
            transactions.Add(full
                ? Transaction(tx, ethChainId, new Position(h.Hash, h.Height, i), block.BaseFeePerGas)
                : JsonValue.Create(tx.Hash.ToString()));
        }
        return new JsonObject
        {
            ["number"] = EthHex.Quantity(h.Height),
            ["hash"] = h.Hash.ToString(),
            ["parentHash"] = h.ParentHash.ToString(),
            ["nonce"] = "0x0000000000000000",
            ["mixHash"] = ZeroHash,
            ["sha3Uncles"] = EmptyUncleHash,
            ["logsBloom"] = EmptyBloom,
            ["transactionsRoot"] = h.TxRoot.ToString(),
            ["stateRoot"] = h.StateRoot.ToString(),
            ["receiptsRoot"] = ZeroHash,
            ["miner"] = h.FeeRecipient.ToString(),
            ["difficulty"] = "0x0",
            ["totalDifficulty"] = "0x0",
            ["extraData"] = "0x",
            ["size"] = EthHex.Quantity((ulong)size),
            ["gasLimit"] = EthHex.Quantity(gasLimit),
            ["gasUsed"] = EthHex.Quantity(block.GasUsed),
            ["timestamp"] = EthHex.Quantity((ulong)Math.Max(0, h.TimestampMs / 1000)),
            ["baseFeePerGas"] = EthHex.Quantity(block.BaseFeePerGas),
            ["transactions"] = transactions,
            ["uncles"] = new JsonArray(),
            ["proposer"] = h.ProposerId,
        };
    }

    /// <summary>The most gas a block can use: <c>Chain:MaxTxPerBlock</c> transactions of the largest admissible size.</summary>
    public static ulong BlockGasLimit(Abstractions.Config.ChainConfig config) =>
        (ulong)config.MaxTxPerBlock * ChainParameters.IntrinsicGas(config.MaxTransactionBytes);
}
