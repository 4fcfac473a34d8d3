using ActorRollup.Core.Blocks;
using ActorRollup.Core.Transactions;

namespace ActorRollup.Core.Tests.Blocks;

/// <summary>The ordering policy, for both policies and their ties: the comparison, the mempool's queue order, and
/// the checks of a block's entries (on their own, and against admission records).</summary>
public class TxOrderingTests
{
    private readonly record struct Admitted(ulong ArrivalSequence) : IAdmissionRecord;

    /// <summary>"price:sequence" entries, comma-separated, one sender with consecutive nonces.</summary>
    private static BlockEntry[] Entries(string spec) =>
        spec.Length == 0
            ? []
            : spec.Split(',').Select((e, i) =>
            {
                var parts = e.Split(':');
                var tx = Transaction.Create(TestKeys.Get(620), "order-test", TestKeys.Get(621).Address, 1, (ulong)i, ulong.Parse(parts[0]));
                return new BlockEntry(tx, ulong.Parse(parts[1]));
            }).ToArray();

    [Theory]
    [InlineData(OrderingPolicy.Fcfs, 1, 1, 1, 2, -1)]
    [InlineData(OrderingPolicy.Fcfs, 9, 2, 1, 1, 1)]          // price does not count
    [InlineData(OrderingPolicy.Fcfs, 1, 3, 9, 3, 0)]          // the same arrival
    [InlineData(OrderingPolicy.FeePriority, 9, 5, 1, 1, -1)]  // the higher price first
    [InlineData(OrderingPolicy.FeePriority, 1, 1, 9, 5, 1)]
    [InlineData(OrderingPolicy.FeePriority, 4, 1, 4, 2, -1)]  // a tie on price: arrival order
    [InlineData(OrderingPolicy.FeePriority, 4, 2, 4, 1, 1)]
    [InlineData(OrderingPolicy.FeePriority, 4, 2, 4, 2, 0)]
    public void Compare_orders_by_the_policy(OrderingPolicy policy, ulong priceA, ulong seqA, ulong priceB, ulong seqB, int expected)
    {
        Assert.Equal(expected, Math.Sign(TxOrdering.Compare(policy, priceA, seqA, priceB, seqB)));
        Assert.Equal(-expected, Math.Sign(TxOrdering.Comparer(policy).Compare((priceB, seqB), (priceA, seqA))));
    }

    [Theory]
    [InlineData(OrderingPolicy.Fcfs, "5:3,1:1,9:2,1:4", "1,2,3,4")]
    [InlineData(OrderingPolicy.FeePriority, "5:3,1:1,9:2,1:4,5:5", "2,3,5,1,4")]
    [InlineData(OrderingPolicy.FeePriority, "2:9,2:7,2:8", "7,8,9")] // all tied on price
    public void The_queue_sorts_pending_transactions_in_policy_order(OrderingPolicy policy, string pending, string expectedSequences)
    {
        var queue = new SortedSet<(ulong GasPrice, ulong Sequence)>(TxOrdering.Comparer(policy));
        foreach (var e in Entries(pending)) queue.Add((e.Transaction.GasPrice, e.ArrivalSequence));
        Assert.Equal(expectedSequences, string.Join(",", queue.Select(k => k.Sequence)));
    }

    [Theory]
    [InlineData(OrderingPolicy.Fcfs, "", true)]
    [InlineData(OrderingPolicy.Fcfs, "1:4", true)]
    [InlineData(OrderingPolicy.Fcfs, "1:1,9:2,1:5", true)]
    [InlineData(OrderingPolicy.Fcfs, "1:2,1:1", false)]
    [InlineData(OrderingPolicy.Fcfs, "1:2,1:2", false)]       // one arrival twice
    [InlineData(OrderingPolicy.FeePriority, "9:5,3:1,3:2", true)]
    [InlineData(OrderingPolicy.FeePriority, "3:1,9:5", false)] // the cheaper first
    [InlineData(OrderingPolicy.FeePriority, "3:2,3:1", false)] // a price tie out of arrival order
    [InlineData(OrderingPolicy.FeePriority, "3:2,3:2", false)]
    public void CheckOrder_accepts_only_strict_policy_order(OrderingPolicy policy, string entries, bool inOrder)
    {
        var check = TxOrdering.CheckOrder(Entries(entries), policy, baseFee: 1);
        Assert.Equal(inOrder ? BlockFault.None : BlockFault.OrderingViolation, check.Fault);
        if (!inOrder) Assert.Contains($"out of {policy} order", check.Detail);
    }

    [Theory]
    [InlineData(OrderingPolicy.Fcfs, "1:1,1:2", "1,2", null)]
    [InlineData(OrderingPolicy.Fcfs, "1:1,1:2", "1,0", "no admission record")]   // inserted by the proposer
    [InlineData(OrderingPolicy.Fcfs, "1:1,1:2", "1,3", "admitted as 3")]         // a sequence it was not given
    [InlineData(OrderingPolicy.Fcfs, "1:2,1:1", "2,1", "out of Fcfs order")]
    [InlineData(OrderingPolicy.Fcfs, "1:1,1:2", "1", "2 transactions")]          // records missing
    [InlineData(OrderingPolicy.FeePriority, "7:2,1:1", "2,1", null)]
    [InlineData(OrderingPolicy.FeePriority, "1:1,7:2", "1,2", "out of FeePriority order")]
    public void CheckAdmitted_checks_records_then_order(OrderingPolicy policy, string entries, string admitted, string? fault)
    {
        var records = admitted.Split(',').Select(s => new Admitted(ulong.Parse(s))).ToArray();
        var check = TxOrdering.CheckAdmitted(Entries(entries), records, policy, baseFee: 1);
        Assert.Equal(fault is null ? BlockFault.None : BlockFault.OrderingViolation, check.Fault);
        if (fault is not null) Assert.Contains(fault, check.Detail);
    }
}
