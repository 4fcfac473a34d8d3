using ActorRollup.Core.Primitives;

namespace ActorRollup.Core.Blocks;

/// <summary>
/// The <c>encrypted</c> ordering policy's rule (PROTOCOL.md §12.5), written once. Commit-reveal: the leader of a term
/// takes the sealed batch for a height (hashes and arrival sequences, no contents), commits to its order, and only then
/// are the contents revealed to it. The commitment — (height, term, the ordered transaction hashes) — is recorded
/// before the reveal, so a block may hold only what was committed, in the committed order: nothing inserted after the
/// contents were known (a back-run the leader wrote on reading a swap), nothing moved. The validators check every block
/// of an encrypted chain against the commitment for its height and term (<see cref="Check"/>); the first-come order of
/// the commitment itself is <see cref="TxOrdering"/>'s FCFS check on the admission records.
/// </summary>
public static class EncryptedOrder
{
    /// <summary>
    /// The block's entries are an order-preserving subsequence of <paramref name="committedOrder"/> (the commitment for
    /// the block's height and term; null when none was recorded). Leaving a committed transaction out is allowed — one
    /// the executor excludes at its place (a nonce or balance gone stale) has to go — and is censorship at worst, which
    /// no ordering rule can see; a block with an entry that is not committed, or two entries in the other order, or
    /// any entry without a commitment, breaks the rule. An empty block needs no commitment.
    /// </summary>
    public static BlockCheck Check(IReadOnlyList<BlockEntry> entries, IReadOnlyList<Hash32>? committedOrder)
    {
        if (entries.Count == 0) return BlockCheck.Sound;
        if (committedOrder is null)
            return new(BlockFault.OrderingViolation, "no order commitment is recorded for the block's height and term (encrypted)");
        int next = 0;
        for (int i = 0; i < entries.Count; i++)
        {
            var hash = entries[i].Transaction.Hash;
            while (next < committedOrder.Count && committedOrder[next] != hash) next++;
            if (next == committedOrder.Count)
            {
                bool committed = false;
                foreach (var h in committedOrder) if (h == hash) { committed = true; break; }
                return new(BlockFault.OrderingViolation, committed
                    ? $"transaction {i} ({hash.ToHex()[..12]}) stands before one committed ahead of it (encrypted order broken)"
                    : $"transaction {i} ({hash.ToHex()[..12]}) is not in the order committed before the reveal (inserted after the contents were known)");
            }
            next++;
        }
        return BlockCheck.Sound;
    }

    /// <summary>The order a commitment may take: at most <paramref name="maxTransactions"/> hashes, none twice. Null when
    /// sound, else the reason.</summary>
    public static string? CheckCommitment(IReadOnlyList<Hash32> order, int maxTransactions)
    {
        if (order.Count > maxTransactions) return $"{order.Count} transactions committed, the block limit is {maxTransactions}";
        var seen = new HashSet<Hash32>();
        foreach (var h in order)
            if (!seen.Add(h)) return $"transaction {h.ToHex()[..12]} committed twice";
        return null;
    }
}
