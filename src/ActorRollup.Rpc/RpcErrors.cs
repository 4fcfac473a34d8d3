using System.Text.Json.Nodes;
using ActorRollup.Core.Transactions;

namespace ActorRollup.Rpc;

/// <summary>A JSON-RPC error to answer with: its code, a message, and optional data. Never carries a stack trace.</summary>
public sealed class RpcException(int code, string message, JsonNode? data = null) : Exception(message)
{
    public int Code { get; } = code;
    public JsonNode? ErrorData { get; } = data;
}

/// <summary>The error codes (JSON-RPC 2.0, and -32000 for a server's own errors as Ethereum nodes use it) and the
/// message each admission refusal is answered with (docs/JSON-RPC.md, "Errors").</summary>
public static class RpcErrors
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int Internal = -32603;
    /// <summary>A refusal of the chain's: an admission refusal, state or history it does not hold, a chain that does not exist.</summary>
    public const int Server = -32000;

    /// <summary>
    /// The message of each admission refusal: the words Ethereum clients recognise (geth's txpool messages, which ethers
    /// and viem match), one per <see cref="AdmissionReason"/>. The reason code itself goes in the error's data.
    /// </summary>
    public static string MessageOf(AdmissionReason reason) => reason switch
    {
        AdmissionReason.BadEncoding => "rlp: invalid transaction encoding",
        AdmissionReason.BadSignature => "invalid sender",
        AdmissionReason.WrongChain => "invalid chain id for signer",
        AdmissionReason.GasPriceTooLow => "transaction underpriced",
        AdmissionReason.NonceUsed => "nonce too low",
        AdmissionReason.InsufficientBalance => "insufficient funds for gas * price + value",
        AdmissionReason.Duplicate => "already known",
        AdmissionReason.TooLarge => "oversized data",
        AdmissionReason.MempoolFull => "txpool is full",
        AdmissionReason.GasLimitTooLow => "intrinsic gas too low",
        AdmissionReason.AmountOverflow => "value overflow: value + gas * price exceeds 128 bits",
        AdmissionReason.NonceTooFarAhead => "nonce too high",
        AdmissionReason.Unsupported => "transaction type not supported",
        // The two below have no geth counterpart (geth has no system calls or second token): plain words.
        AdmissionReason.InvalidCall => "invalid call to a system address",
        AdmissionReason.InsufficientTokens => "insufficient TKN for swap or token transfer",
        _ => "transaction refused",
    };

    /// <summary>What a refusal carries: <c>{"reason": code, "name": "NonceUsed"}</c>.</summary>
    public static JsonObject DataOf(AdmissionReason reason) => new() { ["reason"] = (int)reason, ["name"] = reason.ToString() };

    /// <summary>The error an admission refusal is answered with.</summary>
    public static RpcException Refusal(AdmissionReason reason, string? detail = null) =>
        new(Server, detail is null ? MessageOf(reason) : $"{MessageOf(reason)}: {detail}", DataOf(reason));
}
