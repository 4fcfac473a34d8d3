using ActorRollup.Core.Primitives;

namespace ActorRollup.Core.Staking;

/// <summary>
/// The conservation check of PROTOCOL §5: total supply changes only by minted rewards, fees brought in from
/// L2, and burned slashes. <see cref="Holds"/> iff <see cref="TotalSupply"/> == <see cref="Expected"/>.
/// </summary>
public sealed record ConservationReport(
    UInt128 Balances,
    UInt128 Bonded,
    UInt128 RewardPools,
    UInt128 Unbonding,
    UInt128 InitialSupply,
    UInt128 Minted,
    UInt128 FeesIn,
    UInt128 Burned)
{
    /// <summary>Σ balances + Σ bonded stake + Σ reward pools + Σ pending unlocks.</summary>
    public UInt128 TotalSupply => checked(Balances + Bonded + RewardPools + Unbonding);

    /// <summary>initialSupply + minted + feesIn − burned (null if burned exceeds the inflows, which is itself a violation).</summary>
    public UInt128? Expected
    {
        get
        {
            var inflow = checked(InitialSupply + Minted + FeesIn);
            return inflow >= Burned ? inflow - Burned : null;
        }
    }

    public bool Holds => Expected is { } e && e == TotalSupply;

    public override string ToString() =>
        $"supply {Token.Format(TotalSupply)} = balances {Token.Format(Balances)} + bonded {Token.Format(Bonded)} + reward pools {Token.Format(RewardPools)} + unbonding {Token.Format(Unbonding)}; " +
        $"expected {(Expected is { } e ? Token.Format(e) : "negative")} = initial {Token.Format(InitialSupply)} + minted {Token.Format(Minted)} + fees {Token.Format(FeesIn)} - burned {Token.Format(Burned)}: {(Holds ? "holds" : "VIOLATED")}";
}
