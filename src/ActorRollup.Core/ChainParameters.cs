namespace ActorRollup.Core;

/// <summary>
/// The per-chain rules that stateless validation and execution need (PROTOCOL.md §2). Immutable; the silo binds
/// them from configuration and validates them at start-up.
/// </summary>
public sealed record ChainParameters
{
    /// <summary>Gas of a plain transfer (§2).</summary>
    public const ulong TransferGas = 21_000;

    /// <summary>Extra gas per byte of a transaction's data field.</summary>
    public const ulong GasPerDataByte = 16;

    /// <summary>Chain id: 1–32 characters of [a-z0-9-]; part of every signed message and grain key.</summary>
    public required string ChainId { get; init; }

    /// <summary>Lowest gas price (base units per gas) the mempool admits.</summary>
    public ulong MinGasPrice { get; init; } = 1_000_000_000;

    /// <summary>Largest encoded transaction admitted, in bytes.</summary>
    public int MaxTransactionBytes { get; init; } = 1024;

    /// <summary>Gas a transaction with <paramref name="dataLength"/> data bytes uses.</summary>
    public static ulong IntrinsicGas(int dataLength) => TransferGas + GasPerDataByte * (ulong)dataLength;

    public static bool IsValidChainId(string? chainId)
    {
        if (string.IsNullOrEmpty(chainId) || chainId.Length > 32) return false;
        foreach (var c in chainId)
            if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-')) return false;
        return true;
    }
}
