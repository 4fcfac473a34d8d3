using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Messages;

namespace ActorRollup.IntegrationTests;

/// <summary>
/// A rollback completes or does not happen (issue 10): settlement refuses — cleanly, with a reason and no change — to
/// withdraw batches from a finalized height (finality is never undone, and the chain asks before it rewrites anything),
/// and withdraws nothing for a rollback the chain never decided.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SettlementRevertTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_withdrawal_reaching_finality_or_without_a_decided_rollback_is_refused_and_changes_nothing()
    {
        var chain = await TestChain.Start(fixture.Client, "revert", c => c.LeaderTimeoutMs = 5_000, [40_000, 30_000, 25_000, 20_000], accounts: 2);
        try
        {
            await Poll.Until(() => chain.Settlement.GetView(), v => v.FinalizedHeight >= 5 && v.PostedHeight > v.FinalizedHeight,
                TimeSpan.FromSeconds(30), "a final batch and a posted one after it");
            await ChainHalt.Halt(chain);
            var before = await chain.Settlement.GetView();
            var head = await chain.Chain.GetHead();
            using (TestCallers.AsInternal())
            {
                // Finality is never undone: a finalized height is refused whatever challenge is named.
                Assert.Equal(SettlementReason.Finalized, await chain.Settlement.Revert($"{chain.Id}/challenge-1", before.FinalizedHeight));
                Assert.Equal(SettlementReason.Finalized, await chain.Settlement.Revert("anything", 1));
                // Above finality, only a rollback the chain decided withdraws batches.
                Assert.Equal(SettlementReason.Unproven, await chain.Settlement.Revert($"{chain.Id}/challenge-1", before.PostedHeight));
                Assert.Equal(SettlementReason.Unproven, await chain.Settlement.Revert("", before.FinalizedHeight + 1));
                Assert.Equal(SettlementReason.Unproven, await chain.Settlement.Revert(new string('x', 10_000), before.PostedHeight));
            }
            var after = await chain.Settlement.GetView();
            Assert.Equal((before.PostedHeight, before.FinalizedHeight, before.BatchesPosted, before.BatchesReverted),
                (after.PostedHeight, after.FinalizedHeight, after.BatchesPosted, after.BatchesReverted));
            Assert.Equal(head, await chain.Chain.GetHead());
            var audit = await chain.Chain.AuditSupply();
            Assert.True(audit.Conserved, $"supply: {audit}");
        }
        finally
        {
            await ChainHalt.Stop(chain);
        }
    }
}
