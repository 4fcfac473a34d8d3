using ActorRollup.Core.Blocks;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;

namespace ActorRollup.Core.Tests.Blocks;

/// <summary>The encrypted policy's rule (PROTOCOL.md §12.5): a block holds an order-preserving subsequence of the order
/// committed before the reveal; bounds of a commitment.</summary>
public class EncryptedOrderTests
{
    /// <summary>Six distinct transactions, named 0..5 in the table below.</summary>
    private static readonly Transaction[] Txs = Enumerable.Range(0, 6)
        .Select(i => Transaction.Create(TestKeys.Get(640), "encrypted-test", TestKeys.Get(641).Address, 1, (ulong)i, 1))
        .ToArray();

    private static BlockEntry[] Block(string spec) =>
        spec.Length == 0 ? [] : spec.Split(',').Select((s, i) => new BlockEntry(Txs[int.Parse(s)], (ulong)i + 1)).ToArray();

    private static Hash32[] Order(string spec) => spec.Length == 0 ? [] : spec.Split(',').Select(s => Txs[int.Parse(s)].Hash).ToArray();

    [Theory]
    [InlineData("0,1,2", "0,1,2", true, "")]                 // exactly the committed order
    [InlineData("0,2", "0,1,2", true, "")]                   // one left out (excluded at its place, or censored)
    [InlineData("", "0,1,2", true, "")]                      // an empty block
    [InlineData("", null, true, "")]                         // an empty block needs no commitment
    [InlineData("1,0,2", "0,1,2", false, "stands before")]   // two swapped
    [InlineData("0,1,2,3", "0,1,2", false, "not in the order")] // one appended after the reveal (a back-run)
    [InlineData("3,0,1", "0,1,2", false, "not in the order")]   // one inserted in front (a front-run)
    [InlineData("0,0", "0,1", false, "stands before")]          // one twice
    [InlineData("0", null, false, "no order commitment")]
    [InlineData("0", "", false, "not in the order")]
    public void A_block_is_an_order_preserving_subsequence_of_the_commitment(string block, string? committed, bool sound, string reason)
    {
        var check = EncryptedOrder.Check(Block(block), committed is null ? null : Order(committed));
        Assert.Equal(sound, check.Ok);
        if (!sound)
        {
            Assert.Equal(BlockFault.OrderingViolation, check.Fault);
            Assert.Contains(reason, check.Detail);
        }
    }

    [Fact]
    public void A_commitment_is_bounded_by_the_block_limit_and_holds_no_hash_twice()
    {
        Assert.Null(EncryptedOrder.CheckCommitment(Order("0,1,2"), 3));
        Assert.Null(EncryptedOrder.CheckCommitment([], 3));
        Assert.Contains("block limit is 2", EncryptedOrder.CheckCommitment(Order("0,1,2"), 2));
        Assert.Contains("committed twice", EncryptedOrder.CheckCommitment(Order("0,1,0"), 3));
    }
}
