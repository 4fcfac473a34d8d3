using ActorRollup.Core.Primitives;
using ActorRollup.Core.Staking;
using Orleans.Serialization.Cloning;

namespace ActorRollup.Abstractions.Serialization;

// Surrogates for the staking core's immutable records (see CoreSurrogates.cs for the approach).

[GenerateSerializer, Alias("ar.StakePosition")]
public struct StakePositionSurrogate
{
    [Id(0)] public UInt128 Shares;
    [Id(1)] public UInt128 Checkpoint;
    [Id(2)] public UInt128 Settled;
}

[RegisterConverter]
public sealed class StakePositionConverter : IConverter<StakePosition, StakePositionSurrogate>
{
    public StakePosition ConvertFromSurrogate(in StakePositionSurrogate s) => new(s.Shares, s.Checkpoint, s.Settled);
    public StakePositionSurrogate ConvertToSurrogate(in StakePosition v) => new() { Shares = v.Shares, Checkpoint = v.Checkpoint, Settled = v.Settled };
}

[RegisterCopier]
public sealed class StakePositionCopier : ShallowCopier<StakePosition>;

[GenerateSerializer, Alias("ar.SlashResult")]
public struct SlashResultSurrogate
{
    [Id(0)] public StakingReason Reason;
    [Id(1)] public UInt128 Slashed;
    [Id(2)] public UInt128 ToReporters;
    [Id(3)] public UInt128 PerReporter;
    [Id(4)] public int ReportersPaid;
    [Id(5)] public UInt128 Burned;
    [Id(6)] public SequencerStatus StatusAfter;
    [Id(7)] public ulong JailedUntilEpoch;
}

[RegisterConverter]
public sealed class SlashResultConverter : IConverter<SlashResult, SlashResultSurrogate>
{
    public SlashResult ConvertFromSurrogate(in SlashResultSurrogate s) =>
        new(s.Reason, s.Slashed, s.ToReporters, s.PerReporter, s.ReportersPaid, s.Burned, s.StatusAfter, s.JailedUntilEpoch);

    public SlashResultSurrogate ConvertToSurrogate(in SlashResult v) => new()
    {
        Reason = v.Reason, Slashed = v.Slashed, ToReporters = v.ToReporters, PerReporter = v.PerReporter,
        ReportersPaid = v.ReportersPaid, Burned = v.Burned, StatusAfter = v.StatusAfter, JailedUntilEpoch = v.JailedUntilEpoch,
    };
}

[GenerateSerializer, Alias("ar.SequencerPool")]
public struct SequencerPoolSurrogate
{
    [Id(0)] public string Id;
    [Id(1)] public Address Owner;
    [Id(2)] public byte[] SignerPublicKey;
    [Id(3)] public ulong RegisteredEpoch;
    [Id(4)] public SequencerStatus Status;
    [Id(5)] public ulong JailedUntilEpoch;
    [Id(6)] public UInt128 TotalStake;
    [Id(7)] public UInt128 TotalShares;
    [Id(8)] public UInt128 OwnerShares;
    [Id(9)] public UInt128 RewardIndex;
    [Id(10)] public UInt128 CommissionAccrued;
    [Id(11)] public UInt128 RewardPool;
    [Id(12)] public ulong[] BucketEpochs;
    [Id(13)] public UInt128[] BucketStakes;
    [Id(14)] public UInt128[] BucketShares;
}

[RegisterConverter]
public sealed class SequencerPoolConverter : IConverter<SequencerPool, SequencerPoolSurrogate>
{
    public SequencerPool ConvertFromSurrogate(in SequencerPoolSurrogate s)
    {
        var epochs = s.BucketEpochs;
        var stakes = s.BucketStakes;
        var shares = s.BucketShares;
        return SequencerPool.Create(s.Id, s.Owner, s.SignerPublicKey, s.RegisteredEpoch) with
        {
            Status = s.Status,
            JailedUntilEpoch = s.JailedUntilEpoch,
            TotalStake = s.TotalStake,
            TotalShares = s.TotalShares,
            OwnerShares = s.OwnerShares,
            RewardIndex = s.RewardIndex,
            CommissionAccrued = s.CommissionAccrued,
            RewardPool = s.RewardPool,
            Unbonding = [.. epochs.Select((e, i) => new UnbondingBucket(e, stakes[i], shares[i]))],
        };
    }

    public SequencerPoolSurrogate ConvertToSurrogate(in SequencerPool v) => new()
    {
        Id = v.Id, Owner = v.Owner, SignerPublicKey = v.SignerPublicKey.ToArray(), RegisteredEpoch = v.RegisteredEpoch,
        Status = v.Status, JailedUntilEpoch = v.JailedUntilEpoch, TotalStake = v.TotalStake, TotalShares = v.TotalShares,
        OwnerShares = v.OwnerShares, RewardIndex = v.RewardIndex, CommissionAccrued = v.CommissionAccrued, RewardPool = v.RewardPool,
        BucketEpochs = v.Unbonding.Select(b => b.ClaimableFromEpoch).ToArray(),
        BucketStakes = v.Unbonding.Select(b => b.Stake).ToArray(),
        BucketShares = v.Unbonding.Select(b => b.Shares).ToArray(),
    };
}

[RegisterCopier]
public sealed class SequencerPoolCopier : ShallowCopier<SequencerPool>;
