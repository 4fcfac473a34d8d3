using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Execution;
using ActorRollup.Core.State;
using ActorRollup.Grains.Infrastructure;

namespace ActorRollup.Grains.Validator;

/// <summary>What a validator needs from the rest of the chain to judge a block: the committee, the leader of a
/// term, the admission records. Fetched by the grain; the judgement itself is pure.</summary>
public sealed record BlockContext(CommitteeSeat[] Committee, string? LegitimateLeader, AdmissionRecord[] Admissions)
{
    /// <summary>Encrypted policy: the order committed for the block's height and term before the reveal (null: none).</summary>
    public Core.Primitives.Hash32[]? CommittedOrder { get; init; }
}

/// <summary>The verdict on one block: the honest post-state, and the first fault found (None when sound).</summary>
public sealed record BlockVerdict(StateTree PostState, BlockFault Violation, string Detail);

/// <summary>
/// Everything PROTOCOL.md §8 asks a validator to check about a committed block, against its own pre-state:
/// transaction signatures, execution and the state root, the transaction root, the quorum certificate, the
/// leader's legitimacy for that height and term, and the ordering policy (arrival sequences in policy order, every
/// transaction with an admission record; under encrypted, the order committed before the reveal). The block rules themselves are the core's (<see cref="BlockRules"/>,
/// <see cref="TxOrdering"/>); execution and transaction signatures are the validator's own. Deterministic; signature
/// checks go through the per-silo memo.
/// </summary>
public static class BlockChecker
{
    /// <summary>
    /// Re-executes the block and checks it. With <paramref name="full"/> false (a block outside this validator's
    /// sampled share, Chain:ValidationSampleRate), only execution and the state root are checked — the replica has to
    /// advance honestly anyway — and the signature, certificate, leader and ordering checks are skipped.
    /// </summary>
    public static BlockVerdict Check(CommittedBlock committed, StateTree preState, BlockContext context, ChainConfig config, VerificationMemo memo,
        ExecutionMemo execution, bool full = true)
    {
        var block = committed.Block;
        var header = block.Header;
        // Execution first: the replica must advance honestly whatever else is wrong.
        var result = execution.Execute(preState, block, config.ToChainParameters());
        BlockVerdict Verdict(BlockCheck check) => new(result.PostState, check.Fault, check.Detail);

        for (int i = 0; i < result.Receipts.Count; i++)
            if (!result.Receipts[i].Included)
                return Verdict(new(BlockFault.InvalidTransaction, $"transaction {i} fails execution: {result.Receipts[i].Outcome}"));
        if (!full) return Verdict(BlockRules.CheckStateRoot(header, result.PostState.Root));
        BlockCheck check;
        if (!(check = BlockRules.CheckTxRoot(block)).Ok) return Verdict(check);
        foreach (var entry in block.Entries)
            if (!memo.VerifyTransaction(entry.Transaction))
                return Verdict(new(BlockFault.InvalidTransaction, $"bad signature on {entry.Transaction.Hash.ToHex()[..12]}"));
        if (!(check = BlockRules.CheckLeader(header, context.LegitimateLeader)).Ok) return Verdict(check);
        if (context.Committee.Length == 0) return Verdict(new(BlockFault.BadCertificate, $"no committee known for epoch {header.Epoch}"));
        if (!(check = BlockRules.CheckCertificate(committed.Certificate, header.Hash, new Committee(context.Committee), memo.Verifier, out _)).Ok)
            return Verdict(check);
        if (!(check = TxOrdering.CheckAdmitted(block.Entries, context.Admissions, config.Ordering, config.ToChainParameters().BaseFeePerGas)).Ok) return Verdict(check);
        if (config.Ordering == OrderingPolicy.Encrypted && !(check = EncryptedOrder.Check(block.Entries, context.CommittedOrder)).Ok) return Verdict(check);
        return Verdict(BlockRules.CheckStateRoot(header, result.PostState.Root));
    }

    /// <summary>
    /// Whether <paramref name="validatorId"/> fully checks <paramref name="blockHash"/>: SHA-256(id ‖ hash), read as a
    /// fraction of 2^64, below the sample rate. Deterministic, and different validators sample different blocks.
    /// </summary>
    public static bool IsSampled(string validatorId, Core.Primitives.Hash32 blockHash, double rate)
    {
        if (rate >= 1) return true;
        var bytes = System.Text.Encoding.UTF8.GetBytes(validatorId).Concat(blockHash.ToArray()).ToArray();
        var draw = Core.Primitives.Hash32.Sha256(bytes).W0;
        return draw < (ulong)(rate * ulong.MaxValue);
    }
}
