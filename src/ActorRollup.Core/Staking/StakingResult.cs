namespace ActorRollup.Core.Staking;

/// <summary>
/// Outcome of a staking operation: <see cref="Reason"/> is <see cref="StakingReason.Ok"/> on success, and then
/// <see cref="Amount"/> is the operation's figure (amount locked, unlocked, claimed or credited); on refusal
/// nothing changed (PROTOCOL §9) and <see cref="Amount"/> is 0.
/// </summary>
public readonly record struct StakingResult(StakingReason Reason, UInt128 Amount)
{
    public bool IsOk => Reason == StakingReason.Ok;

    public static StakingResult Ok(UInt128 amount) => new(StakingReason.Ok, amount);

    public static StakingResult Refused(StakingReason reason) => new(reason, UInt128.Zero);

    public override string ToString() => IsOk ? $"Ok({Primitives.Token.Format(Amount)})" : Reason.ToString();
}
