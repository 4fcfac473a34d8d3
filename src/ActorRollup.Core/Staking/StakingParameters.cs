using ActorRollup.Core.Primitives;

namespace ActorRollup.Core.Staking;

/// <summary>
/// Parameters of one chain's L1 locking pool (PROTOCOL §5). Defaults are the protocol's: lock bounds and
/// reward per block are the Metis values; the exit and activation delays are the simulation's 2 epochs.
/// Amounts are base units (1 token = 10^18); rates are basis points (10000 = 100%).
/// </summary>
public sealed record StakingParameters
{
    /// <summary>Minimum self-stake to register (§5; Metis 20,000 tokens).</summary>
    public UInt128 MinLock { get; init; } = Token.FromTokens(20_000);

    /// <summary>Maximum total (self + delegated) stake of one sequencer (§5; Metis 100,000 tokens).</summary>
    public UInt128 MaxLock { get; init; } = Token.FromTokens(100_000);

    /// <summary>Epochs between an unlock and the claim of its principal (§5; Metis 21 days).</summary>
    public ulong ExitDelayEpochs { get; init; } = 2;

    /// <summary>A stake change made in epoch e counts for the committee from epoch e + this (§5).</summary>
    public ulong ActivationDelayEpochs { get; init; } = 2;

    /// <summary>The sequencer's commission on every block reward (§5; default 10%).</summary>
    public uint CommissionBps { get; init; } = 1_000;

    /// <summary>Tokens minted per block to its proposer (§5; Metis 0.000761 token).</summary>
    public UInt128 RewardPerBlock { get; init; } = 761_000_000_000_000UL;

    /// <summary>Slash for a proven invalid state root (§5, §8; 10%).</summary>
    public uint InvalidRootSlashBps { get; init; } = 1_000;

    /// <summary>Jail after an invalid state root (§5; 10 epochs).</summary>
    public ulong InvalidRootJailEpochs { get; init; } = 10;

    /// <summary>Slash for equivocation, which also tombstones (§5; 5%).</summary>
    public uint EquivocationSlashBps { get; init; } = 500;

    /// <summary>Slash for missed leadership (§5, §6 failover; 0.01%).</summary>
    public uint DowntimeSlashBps { get; init; } = 1;

    /// <summary>Jail after missed leadership (§5; 2 epochs).</summary>
    public ulong DowntimeJailEpochs { get; init; } = 2;

    /// <summary>Share of a slash paid to the reporting validators, split equally; the rest is burned (§5; half).</summary>
    public uint ReporterShareBps { get; init; } = 5_000;

    /// <summary>Owner addresses allowed to register (§5 "an optional whitelist"); null = anyone.</summary>
    public IReadOnlySet<Address>? Whitelist { get; init; }

    /// <summary>
    /// The epoch from which an unlock made in <paramref name="epoch"/> can be claimed: epoch + <see cref="ExitDelayEpochs"/>
    /// (§5 exit delay); false when that does not fit 64 bits.
    /// </summary>
    public bool TryClaimableFrom(ulong epoch, out ulong claimableFrom)
    {
        claimableFrom = epoch + ExitDelayEpochs;
        if (claimableFrom >= epoch) return true;
        claimableFrom = 0;
        return false;
    }

    /// <summary>The slash rate and jail length of an offence (§5).</summary>
    public (uint Bps, ulong JailEpochs, bool Tombstone) PenaltyFor(SlashKind kind) => kind switch
    {
        SlashKind.InvalidStateRoot => (InvalidRootSlashBps, InvalidRootJailEpochs, false),
        SlashKind.Equivocation => (EquivocationSlashBps, 0, true),
        SlashKind.Downtime => (DowntimeSlashBps, DowntimeJailEpochs, false),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown slash kind"),
    };

    /// <summary>Every inconsistency, each naming its parameter; empty when the parameters are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MinLock == UInt128.Zero || MinLock > MaxLock)
            errors.Add("Staking:MinLock must be > 0 and <= MaxLock");
        if (CommissionBps > StakeMath.BpsDenominator)
            errors.Add("Staking:CommissionBps must be <= 10000");
        if (InvalidRootSlashBps == 0 || InvalidRootSlashBps > StakeMath.BpsDenominator)
            errors.Add("Staking:InvalidRootSlashBps must be in 1..10000");
        if (EquivocationSlashBps == 0 || EquivocationSlashBps > StakeMath.BpsDenominator)
            errors.Add("Staking:EquivocationSlashBps must be in 1..10000");
        if (DowntimeSlashBps == 0 || DowntimeSlashBps > StakeMath.BpsDenominator)
            errors.Add("Staking:DowntimeSlashBps must be in 1..10000");
        if (ReporterShareBps > StakeMath.BpsDenominator)
            errors.Add("Staking:ReporterShareBps must be <= 10000");
        if (ExitDelayEpochs < ActivationDelayEpochs)
            errors.Add("Staking:ExitDelayEpochs must be >= ActivationDelayEpochs (stake must stay slashable while it still counts for the committee)");
        if (Whitelist is { Count: 0 })
            errors.Add("Staking:Whitelist must be null (open registration) or name at least one owner");
        return errors;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every error of <see cref="Validate"/>.</summary>
    public void EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0) throw new ArgumentException(string.Join("; ", errors));
    }
}
