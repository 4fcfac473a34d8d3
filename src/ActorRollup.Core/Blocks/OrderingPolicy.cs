namespace ActorRollup.Core.Blocks;

/// <summary>Transaction ordering policy of a chain (PROTOCOL.md §7, §12). The command line spells them <c>fcfs</c>,
/// <c>fee-priority</c>, <c>builder-auction</c>, <c>express-lane</c> and <c>encrypted</c> (<see cref="OrderingPolicies"/>);
/// configuration takes those or the enum names.</summary>
public enum OrderingPolicy
{
    /// <summary>By mempool arrival sequence (Metis: first come, first served).</summary>
    Fcfs = 0,
    /// <summary>Highest gas price first, arrival order within equal prices.</summary>
    FeePriority = 1,
    /// <summary>Proposer-builder separation in the MEV-Boost style: the highest-bidding builder's bundle opens the block,
    /// the rest follows in fee priority; the bid is paid to the proposer.</summary>
    BuilderAuction = 2,
    /// <summary>Arbitrum Timeboost: a sealed-bid second-price auction per round for a lane whose transactions skip the
    /// delay every other transaction waits; first come, first served after it.</summary>
    ExpressLane = 3,
    /// <summary>The leader commits to the order before anyone can read the contents; first come, first served.</summary>
    Encrypted = 4,
}

/// <summary>The policies' command-line spellings.</summary>
public static class OrderingPolicies
{
    public static readonly IReadOnlyList<OrderingPolicy> All =
        [OrderingPolicy.Fcfs, OrderingPolicy.FeePriority, OrderingPolicy.BuilderAuction, OrderingPolicy.ExpressLane, OrderingPolicy.Encrypted];

    /// <summary>fcfs, fee-priority, builder-auction, express-lane, encrypted.</summary>
    public static string Name(OrderingPolicy policy) => policy switch
    {
        OrderingPolicy.Fcfs => "fcfs",
        OrderingPolicy.FeePriority => "fee-priority",
        OrderingPolicy.BuilderAuction => "builder-auction",
        OrderingPolicy.ExpressLane => "express-lane",
        OrderingPolicy.Encrypted => "encrypted",
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "unknown ordering policy"),
    };

    /// <summary>Parses a spelling (exact, lower case) into a policy.</summary>
    public static bool TryParse(string? text, out OrderingPolicy policy)
    {
        foreach (var p in All)
            if (string.Equals(Name(p), text, StringComparison.Ordinal)) { policy = p; return true; }
        policy = default;
        return false;
    }

    /// <summary>Whether the chain can run <paramref name="policy"/> yet: fcfs, fee-priority and encrypted. The other MEV
    /// policies are named (their spellings are fixed by issue 14) but refused by configuration until their rules, records
    /// and validator checks land — a chain never runs one as a stand-in for another.</summary>
    public static bool IsImplemented(OrderingPolicy policy) => policy is OrderingPolicy.Fcfs or OrderingPolicy.FeePriority or OrderingPolicy.Encrypted;

    /// <summary>The spellings of the policies a chain can run, for messages: "fcfs, fee-priority and encrypted".</summary>
    public static string ImplementedSpellings
    {
        get
        {
            var names = All.Where(IsImplemented).Select(Name).ToList();
            return names.Count == 1 ? names[0] : string.Join(", ", names.Take(names.Count - 1)) + " and " + names[^1];
        }
    }

    /// <summary>The spellings, for messages: "fcfs, fee-priority, builder-auction, express-lane or encrypted".</summary>
    public static string Spellings => string.Join(", ", All.Take(All.Count - 1).Select(Name)) + " or " + Name(All[^1]);
}

/// <summary>The mempool's record of a transaction's admission, as the ordering check reads it: the arrival sequence
/// it was given (0 when the mempool never admitted it).</summary>
public interface IAdmissionRecord
{
    ulong ArrivalSequence { get; }
}

/// <summary>
/// The ordering policy (PROTOCOL.md §7), written once: the order the leader takes pending transactions in
/// (<see cref="Compare"/>, <see cref="Comparer"/>), and the checks of a block's entries against it — by the
/// validators against the mempool's admission records (<see cref="CheckAdmitted{T}"/>), by the audit on the entries
/// alone (<see cref="CheckOrder"/>). Arrival sequences are unique, so the order is total.
/// </summary>
public static class TxOrdering
{
    /// <summary>Negative when (<paramref name="priceA"/>, <paramref name="sequenceA"/>) goes before
    /// (<paramref name="priceB"/>, <paramref name="sequenceB"/>) under <paramref name="policy"/>, 0 when equal.</summary>
    public static int Compare(OrderingPolicy policy, ulong priceA, ulong sequenceA, ulong priceB, ulong sequenceB)
    {
        if (policy == OrderingPolicy.FeePriority && priceA != priceB) return priceA > priceB ? -1 : 1;
        return sequenceA.CompareTo(sequenceB);
    }

    /// <summary>The price a transaction is ordered by under fee priority: what it pays per gas under the chain's base fee
    /// (<see cref="Transaction.EffectiveGasPrice"/>), so a native, a legacy and an EIP-1559 transaction compete on one scale.</summary>
    public static ulong PriorityPrice(Transactions.Transaction tx, ulong baseFee) => tx.EffectiveGasPrice(baseFee);

    /// <summary>Whether <paramref name="earlier"/> may stand directly before <paramref name="later"/> in a block: strictly
    /// before it in policy order (an equal arrival sequence twice is out of order).</summary>
    public static bool Precedes(OrderingPolicy policy, ulong baseFee, BlockEntry earlier, BlockEntry later) =>
        Compare(policy, PriorityPrice(earlier.Transaction, baseFee), earlier.ArrivalSequence,
            PriorityPrice(later.Transaction, baseFee), later.ArrivalSequence) < 0;

    /// <summary>The policy order over (<see cref="PriorityPrice"/>, arrival sequence) keys: what the mempool's queue is sorted by.</summary>
    public static IComparer<(ulong Price, ulong Sequence)> Comparer(OrderingPolicy policy) => policy switch
    {
        OrderingPolicy.Fcfs or OrderingPolicy.ExpressLane or OrderingPolicy.Encrypted => FcfsComparer,
        OrderingPolicy.FeePriority or OrderingPolicy.BuilderAuction => FeePriorityComparer,
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "unknown ordering policy"),
    };

    private static readonly KeyComparer FcfsComparer = new(OrderingPolicy.Fcfs);
    private static readonly KeyComparer FeePriorityComparer = new(OrderingPolicy.FeePriority);

    private sealed class KeyComparer(OrderingPolicy policy) : IComparer<(ulong Price, ulong Sequence)>
    {
        public int Compare((ulong Price, ulong Sequence) x, (ulong Price, ulong Sequence) y) =>
            TxOrdering.Compare(policy, x.Price, x.Sequence, y.Price, y.Sequence);
    }

    /// <summary>The entries are in strict policy order; the first pair that is not is the fault.</summary>
    public static BlockCheck CheckOrder(IReadOnlyList<BlockEntry> entries, OrderingPolicy policy, ulong baseFee)
    {
        for (int i = 1; i < entries.Count; i++)
            if (!Precedes(policy, baseFee, entries[i - 1], entries[i])) return OutOfOrder(entries, i, policy);
        return BlockCheck.Sound;
    }

    /// <summary>
    /// Every entry has an admission record (<paramref name="admissions"/>, one per entry, in block order), carries the
    /// arrival sequence it was admitted with, and follows the one before it in policy order. The first entry that
    /// breaks one of these is the fault.
    /// </summary>
    public static BlockCheck CheckAdmitted<T>(IReadOnlyList<BlockEntry> entries, IReadOnlyList<T> admissions, OrderingPolicy policy, ulong baseFee)
        where T : IAdmissionRecord
    {
        if (admissions.Count != entries.Count)
            return new(BlockFault.OrderingViolation, $"{admissions.Count} admission records for {entries.Count} transactions");
        for (int i = 0; i < entries.Count; i++)
        {
            var admitted = admissions[i].ArrivalSequence;
            if (admitted == 0)
                return new(BlockFault.OrderingViolation, $"transaction {entries[i].Transaction.Hash.ToHex()[..12]} has no admission record (inserted by the proposer)");
            if (admitted != entries[i].ArrivalSequence)
                return new(BlockFault.OrderingViolation, $"transaction {i} carries arrival sequence {entries[i].ArrivalSequence}, admitted as {admitted}");
            if (i > 0 && !Precedes(policy, baseFee, entries[i - 1], entries[i])) return OutOfOrder(entries, i, policy);
        }
        return BlockCheck.Sound;
    }

    private static BlockCheck OutOfOrder(IReadOnlyList<BlockEntry> entries, int i, OrderingPolicy policy) =>
        new(BlockFault.OrderingViolation,
            $"transactions {i - 1} and {i} are out of {policy} order (arrival sequences {entries[i - 1].ArrivalSequence}, {entries[i].ArrivalSequence})");
}
