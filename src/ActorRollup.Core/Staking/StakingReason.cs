namespace ActorRollup.Core.Staking;

/// <summary>
/// Why a staking operation was refused (PROTOCOL §5, §9 "bad input: a clear error with a reason code; state
/// unchanged"). <see cref="Ok"/> is success; every other value means the operation changed nothing.
/// </summary>
public enum StakingReason
{
    /// <summary>The operation was applied.</summary>
    Ok = 0,
    /// <summary>An amount of zero was given where a positive amount is required.</summary>
    ZeroAmount = 1,
    /// <summary>Registration self-stake below minLock (§5).</summary>
    BelowMinLock = 2,
    /// <summary>Registration self-stake above maxLock, or a delegation that would push the sequencer's total above maxLock (§5).</summary>
    AboveMaxLock = 3,
    /// <summary>The sequencer id is already registered.</summary>
    AlreadyRegistered = 4,
    /// <summary>The signer key was used by an earlier registration (§5: "a signer key never used before").</summary>
    SignerKeyReused = 5,
    /// <summary>A whitelist is configured and the owner is not on it (§5).</summary>
    NotWhitelisted = 6,
    /// <summary>No sequencer with that id.</summary>
    UnknownSequencer = 7,
    /// <summary>The sequencer is jailed, tombstoned or exiting (or its share price collapsed to zero), so it takes no new stake.</summary>
    SequencerNotAcceptingStake = 8,
    /// <summary>The L1 balance does not cover the amount.</summary>
    InsufficientBalance = 9,
    /// <summary>The unlock amount is larger than the position's value.</summary>
    UnlockExceedsLocked = 10,
    /// <summary>A partial self-unlock would leave the owner's self-stake strictly between 0 and minLock.</summary>
    SelfStakeBelowMinLock = 11,
    /// <summary>There is nothing to claim.</summary>
    NothingToClaim = 12,
    /// <summary>Pending unlocks exist but none has passed its exit delay (§5).</summary>
    ExitDelayNotPassed = 13,
    /// <summary>A 128-bit amount, share count or index would overflow (§2: overflow is an error).</summary>
    Overflow = 14,
    /// <summary>A slash rate outside 1..10000 basis points.</summary>
    InvalidSlashRate = 15,
    /// <summary>The sequencer id is empty.</summary>
    InvalidSequencerId = 16,
    /// <summary>The signer public key is not a 32-byte Ed25519 key (§2).</summary>
    InvalidSignerKey = 17,
    /// <summary>Genesis funding after the first non-genesis operation.</summary>
    GenesisClosed = 18,
    /// <summary>The epoch passed in is earlier than one the ledger has already seen (time never goes backwards).</summary>
    EpochRegressed = 19,
    /// <summary>The sequencer is tombstoned; a tombstone is the final penalty and is not slashed again (§5).</summary>
    AlreadyTombstoned = 20,
    /// <summary>The amount is too small to buy a single share at the pool's share price.</summary>
    AmountTooSmall = 21,
    /// <summary>The action is not signed by the staker it acts for (§9: stake actions need the staker's signature) — including
    /// an action that cannot have been signed at all: a staker key that is not 32 bytes, or a field too long to encode.</summary>
    BadSignature = 22,
    /// <summary>The action's nonce is not the staker's next one (a replayed or out-of-order action).</summary>
    BadNonce = 23,
    /// <summary>A slash, block reward or reporter credit whose evidence the protocol's own record (the chain's decided
    /// challenge or equivocation, rotation's term record, the finalized block) does not confirm: it changes nothing.</summary>
    EvidenceMismatch = 24,
    /// <summary>A pool operation its staker grain did not ask for (or asked for with other amounts): it changes nothing.</summary>
    OperationNotRequested = 25,
    /// <summary>The evidence was already acted on once (a slash or a credit is applied once per evidence).</summary>
    AlreadyApplied = 26,
}
