namespace ActorRollup.Core.Staking;

/// <summary>The proven offences that slash a sequencer (PROTOCOL §5, §8).</summary>
public enum SlashKind
{
    /// <summary>A committed block with a wrong state root (fraud proof, §8): 10% + jail 10 epochs by default.</summary>
    InvalidStateRoot = 0,
    /// <summary>Two different blocks at one height and term (§7): 5% + tombstone by default.</summary>
    Equivocation = 1,
    /// <summary>Missed leadership, i.e. a failover (§6): 0.01% + jail 2 epochs by default.</summary>
    Downtime = 2,
}
