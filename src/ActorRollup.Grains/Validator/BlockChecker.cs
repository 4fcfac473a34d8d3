using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Execution;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.State;
using ActorRollup.Grains.Infrastructure;

namespace ActorRollup.Grains.Validator;

/// <summary>What a validator needs from the rest of the chain to judge a block: the committee, the leader of a
/// term, the admission records. Fetched by the grain; the judgement itself is pure.</summary>
public sealed record BlockContext(CommitteeSeat[] Committee, string? LegitimateLeader, AdmissionRecord[] Admissions);

/// <summary>The verdict on one block: the honest post-state, and the first violation found (None when sound).</summary>
public sealed record BlockVerdict(StateTree PostState, ViolationKind Violation, string Detail);

/// <summary>
/// Everything PROTOCOL.md §8 asks a validator to check about a committed block, against its own pre-state:
/// transaction signatures, execution and the state root, the transaction root, the quorum certificate, the
/// leader's legitimacy for that height and term, and the ordering policy (arrival sequences in policy order, every
/// transaction with an admission record). Deterministic; signature checks may go through the per-silo memo.
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
        var txs = block.Transactions;
        // Execution first: the replica must advance honestly whatever else is wrong.
        var result = execution.Execute(preState, block, config.ChainId);
        BlockVerdict Bad(ViolationKind kind, string detail) => new(result.PostState, kind, detail);

        for (int i = 0; i < result.Receipts.Count; i++)
            if (!result.Receipts[i].Included) return Bad(ViolationKind.InvalidTransaction, $"transaction {i} fails execution: {result.Receipts[i].Outcome}");
        if (!full)
        {
            return result.PostState.Root != header.StateRoot
                ? Bad(ViolationKind.StateRootMismatch, $"claimed {header.StateRoot.ToHex()[..12]}, re-executed {result.PostState.Root.ToHex()[..12]}")
                : new BlockVerdict(result.PostState, ViolationKind.None, "");
        }
        if (!block.TxRootMatchesBody()) return Bad(ViolationKind.TxRootMismatch, "transaction root does not match the body");
        foreach (var tx in txs)
            if (!memo.VerifyTransaction(tx)) return Bad(ViolationKind.InvalidTransaction, $"bad signature on {tx.Hash.ToHex()[..12]}");
        if (context.LegitimateLeader is null || context.LegitimateLeader != header.ProposerId)
            return Bad(ViolationKind.IllegitimateLeader, $"{header.ProposerId} did not lead term {header.Term} at height {header.Height}");
        if (context.Committee.Length == 0) return Bad(ViolationKind.BadCertificate, $"no committee known for epoch {header.Epoch}");
        var qc = committed.Certificate.Verify(header.Hash, new Committee(context.Committee), (key, signature) =>
            memo.Verify(key, Signing.AttestationMessage(header.Hash), signature, () => Signing.VerifyAttestation(key, header.Hash, signature)));
        if (!qc.Ok) return Bad(ViolationKind.BadCertificate, $"{qc.Reason}: {qc.SignedPower} of {qc.TotalPower}");

        var ordering = CheckOrdering(block, context.Admissions, config.Ordering);
        if (ordering is not null) return Bad(ViolationKind.OrderingViolation, ordering);
        if (result.PostState.Root != header.StateRoot)
            return Bad(ViolationKind.StateRootMismatch, $"claimed {header.StateRoot.ToHex()[..12]}, re-executed {result.PostState.Root.ToHex()[..12]}");
        return new BlockVerdict(result.PostState, ViolationKind.None, "");
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

    /// <summary>Null when the block follows the ordering policy; otherwise what breaks it.</summary>
    public static string? CheckOrdering(Block block, AdmissionRecord[] admissions, OrderingPolicy policy)
    {
        var entries = block.Entries;
        for (int i = 0; i < entries.Count; i++)
        {
            var record = admissions[i];
            if (!record.Known) return $"transaction {entries[i].Transaction.Hash.ToHex()[..12]} has no admission record (inserted by the proposer)";
            if (record.ArrivalSequence != entries[i].ArrivalSequence)
                return $"transaction {i} carries arrival sequence {entries[i].ArrivalSequence}, admitted as {record.ArrivalSequence}";
            if (i == 0) continue;
            var (prev, cur) = (entries[i - 1], entries[i]);
            bool inOrder = policy == OrderingPolicy.FeePriority
                ? prev.Transaction.GasPrice > cur.Transaction.GasPrice
                  || (prev.Transaction.GasPrice == cur.Transaction.GasPrice && prev.ArrivalSequence < cur.ArrivalSequence)
                : prev.ArrivalSequence < cur.ArrivalSequence;
            if (!inOrder)
                return $"transactions {i - 1} and {i} are out of {policy} order (sequences {prev.ArrivalSequence}, {cur.ArrivalSequence})";
        }
        return null;
    }
}
