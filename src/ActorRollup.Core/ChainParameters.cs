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

    /// <summary>
    /// The base fee per gas (EIP-1559): constant, equal to <see cref="MinGasPrice"/>. An Ethereum type-2 transaction
    /// pays min(maxFeePerGas, base fee + maxPriorityFeePerGas); nothing is burned — the whole fee goes to the block's
    /// proposer like a native fee (docs/ETHEREUM.md, "Fees").
    /// </summary>
    public ulong BaseFeePerGas => MinGasPrice;

    private readonly ulong _ethChainId;

    /// <summary>
    /// The numeric chain id Ethereum transactions sign over (EIP-155): configured, or when 0 derived from
    /// <see cref="ChainId"/> by <see cref="DeriveEthChainId"/>.
    /// </summary>
    public ulong EthChainId
    {
        get => _ethChainId != 0 ? _ethChainId : DerivedIds.GetOrAdd(ChainId, DeriveEthChainId);
        init => _ethChainId = value;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, ulong> DerivedIds = new(StringComparer.Ordinal);

    /// <summary>Largest numeric chain id accepted: 2^53 − 1, the largest integer JavaScript clients hold exactly.</summary>
    public const ulong MaxEthChainId = (1UL << 53) - 1;

    /// <summary>
    /// The default numeric chain id of a chain: the first 6 bytes of SHA-256("ActorRollup/eth-chain-id/v1" ‖ chain id)
    /// as a big-endian number, so two chains in one cluster differ and every node derives the same id. Never 0.
    /// </summary>
    public static ulong DeriveEthChainId(string chainId)
    {
        ArgumentNullException.ThrowIfNull(chainId);
        var input = System.Text.Encoding.UTF8.GetBytes("ActorRollup/eth-chain-id/v1" + chainId);
        var digest = System.Security.Cryptography.SHA256.HashData(input);
        ulong id = 0;
        for (int i = 0; i < 6; i++) id = (id << 8) | digest[i];
        return id == 0 ? 1 : id;
    }

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
