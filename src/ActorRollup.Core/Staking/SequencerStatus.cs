namespace ActorRollup.Core.Staking;

/// <summary>Lifecycle of a registered sequencer (PROTOCOL §1, §5).</summary>
public enum SequencerStatus
{
    /// <summary>Registered; its stake is not yet effective for the committee (activation delay, §5).</summary>
    Candidate = 0,
    /// <summary>Its stake is effective; eligible for the committee (§6).</summary>
    Active = 1,
    /// <summary>Slashed and jailed until <see cref="SequencerPool.JailedUntilEpoch"/> (§5, §8).</summary>
    Jailed = 2,
    /// <summary>The owner unlocked all self-stake; it never returns (register anew with a fresh signer key).</summary>
    Exiting = 3,
    /// <summary>Permanently banned after equivocation (§5); never released.</summary>
    Tombstoned = 4,
}
