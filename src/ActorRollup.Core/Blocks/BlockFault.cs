namespace ActorRollup.Core.Blocks;

/// <summary>
/// What is wrong with a block (PROTOCOL.md §4, §7, §8): the one list of block faults that the chain's refusals, a
/// validator's fraud proof and the audit's reasons are mapped from. The numeric values are stable: fraud proofs and
/// rollback records carry them (values 0–6 are those fraud proofs have always carried).
/// </summary>
public enum BlockFault
{
    /// <summary>The block passes the check.</summary>
    None = 0,
    /// <summary>The header's state root differs from re-execution.</summary>
    StateRootMismatch = 1,
    /// <summary>The header's transaction root does not match the body.</summary>
    TxRootMismatch = 2,
    /// <summary>A transaction in the block fails execution or signature verification.</summary>
    InvalidTransaction = 3,
    /// <summary>The quorum certificate does not verify against the committee (wrong block, unknown or duplicate
    /// signer, bad signature, 2/3 not reached), or no committee is known.</summary>
    BadCertificate = 4,
    /// <summary>The proposer is not the leader of the block's term, or not on the committee.</summary>
    IllegitimateLeader = 5,
    /// <summary>Transactions out of the ordering policy's order, or without a matching admission record.</summary>
    OrderingViolation = 6,
    /// <summary>The header names another chain.</summary>
    WrongChain = 7,
    /// <summary>The header's height is not the next height.</summary>
    WrongHeight = 8,
    /// <summary>The header's parent is not the block below.</summary>
    WrongParent = 9,
    /// <summary>The header's epoch is not the epoch its height falls in.</summary>
    WrongEpoch = 10,
    /// <summary>The height or epoch lies outside the term's range.</summary>
    OutsideTerm = 11,
    /// <summary>The proposer's signature over the header does not verify under its committee key.</summary>
    BadProposerSignature = 12,
    /// <summary>The header names an L2 fee recipient: fees go to the proposer's L1 pool (zero recipient).</summary>
    BadFeeRecipient = 13,
}
