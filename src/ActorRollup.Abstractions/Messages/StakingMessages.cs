using ActorRollup.Core.Crypto;
using ActorRollup.Core.Encoding;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Staking;

namespace ActorRollup.Abstractions.Messages;

public enum StakeActionKind
{
    RegisterSequencer = 1,
    Delegate = 2,
    Unlock = 3,
    ClaimUnlocked = 4,
    ClaimRewards = 5,
}

/// <summary>
/// A staking action signed by the staker's key (PROTOCOL.md §9: stake actions need the staker's signature).
/// The signature covers "ActorRollup/stake/v1" ‖ chain id ‖ kind ‖ staker public key ‖ sequencer id ‖ amount ‖
/// nonce ‖ signer public key (registration only), so it cannot be replayed on another chain or for another action.
/// </summary>
[GenerateSerializer, Immutable, Alias("ar.StakeAction")]
public sealed record StakeAction(
    [property: Id(0)] string ChainId,
    [property: Id(1)] StakeActionKind Kind,
    [property: Id(2)] byte[] StakerPublicKey,
    [property: Id(3)] string SequencerId,
    [property: Id(4)] UInt128 Amount,
    [property: Id(5)] ulong Nonce,
    [property: Id(6)] byte[] SignerPublicKey,
    [property: Id(7)] byte[] Signature)
{
    private static readonly byte[] Domain = "ActorRollup/stake/v1"u8.ToArray();

    public Address Staker => Address.FromPublicKey(StakerPublicKey);

    public byte[] SigningPayload()
    {
        var w = new CanonicalWriter(160);
        w.WriteRaw(Domain);
        w.WriteString8(ChainId);
        w.WriteU8((byte)Kind);
        w.WriteBytesWithLength8(StakerPublicKey);
        w.WriteString8(SequencerId);
        w.WriteU128(Amount);
        w.WriteU64(Nonce);
        w.WriteBytesWithLength8(SignerPublicKey);
        return w.ToArray();
    }

    /// <summary>True when the staker's key signed exactly these fields. False, never an exception, for an action that
    /// cannot have been signed at all: a key of the wrong length, or a field too long for its length prefix.</summary>
    public bool VerifySignature() =>
        StakerPublicKey is { Length: Ed25519.PublicKeySize } && IsEncodable() && Ed25519.Verify(StakerPublicKey, SigningPayload(), Signature);

    private bool IsEncodable() =>
        ChainId is not null && SequencerId is not null
        && System.Text.Encoding.UTF8.GetByteCount(ChainId) <= byte.MaxValue
        && System.Text.Encoding.UTF8.GetByteCount(SequencerId) <= byte.MaxValue
        && (SignerPublicKey?.Length ?? 0) <= byte.MaxValue;

    public static StakeAction Create(SigningKey staker, string chainId, StakeActionKind kind, string sequencerId, UInt128 amount, ulong nonce, byte[]? signerPublicKey = null)
    {
        var unsigned = new StakeAction(chainId, kind, staker.PublicKey, sequencerId, amount, nonce, signerPublicKey ?? [], []);
        return unsigned with { Signature = staker.Sign(unsigned.SigningPayload()) };
    }
}

[GenerateSerializer, Immutable, Alias("ar.StakeResult")]
public sealed record StakeResult([property: Id(0)] StakingReason Reason, [property: Id(1)] UInt128 Amount, [property: Id(2)] string Detail = "")
{
    public bool Ok => Reason == StakingReason.Ok;
}

/// <summary>A staker's position in one sequencer's pool, as queries show it.</summary>
[GenerateSerializer, Immutable, Alias("ar.PositionView")]
public sealed record PositionView([property: Id(0)] string SequencerId, [property: Id(1)] UInt128 Value, [property: Id(2)] UInt128 PendingRewards);

[GenerateSerializer, Immutable, Alias("ar.UnlockView")]
public sealed record UnlockView([property: Id(0)] string SequencerId, [property: Id(1)] UInt128 Amount, [property: Id(2)] ulong ClaimableFromEpoch);

[GenerateSerializer, Immutable, Alias("ar.StakerView")]
public sealed record StakerView(
    [property: Id(0)] Address Address,
    [property: Id(1)] UInt128 Balance,
    [property: Id(2)] PositionView[] Positions,
    [property: Id(3)] UnlockView[] PendingUnlocks,
    [property: Id(4)] ulong Nonce,
    [property: Id(5)] UInt128 RewardsClaimed);

/// <summary>What a sequencer's pool did for a staker's operation: shares minted or burned, the reward index, an amount.</summary>
[GenerateSerializer, Immutable, Alias("ar.PoolReceipt")]
public sealed record PoolReceipt(
    [property: Id(0)] StakingReason Reason,
    [property: Id(1)] UInt128 Shares,
    [property: Id(2)] UInt128 RewardIndex,
    [property: Id(3)] UInt128 Amount,
    [property: Id(4)] ulong ClaimableFromEpoch,
    [property: Id(5)] string Detail = "")
{
    public bool Ok => Reason == StakingReason.Ok;
}

/// <summary>A pool's part of the supply-conservation check (PROTOCOL.md §5).</summary>
[GenerateSerializer, Immutable, Alias("ar.PoolSupply")]
public sealed record PoolSupply(
    [property: Id(0)] UInt128 Bonded,
    [property: Id(1)] UInt128 Unbonding,
    [property: Id(2)] UInt128 RewardPool,
    [property: Id(3)] UInt128 Minted,
    [property: Id(4)] UInt128 FeesIn,
    [property: Id(5)] UInt128 Burned,
    [property: Id(6)] UInt128 PaidToReporters);
