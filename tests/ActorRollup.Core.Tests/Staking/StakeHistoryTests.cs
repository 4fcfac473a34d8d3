using ActorRollup.Core.Staking;

namespace ActorRollup.Core.Tests.Staking;

public class StakeHistoryTests
{
    [Fact]
    public void A_change_made_in_epoch_e_applies_from_e_plus_the_delay()
    {
        var h = new StakeHistory(2);
        h.Record(3, 100);
        h.Record(3, 150); // a later change in the same epoch replaces the checkpoint
        h.Record(7, 40);
        Assert.Equal(2, h.Checkpoints.Count);
        Assert.Equal(UInt128.Zero, h.EffectiveAt(0));
        Assert.Equal(UInt128.Zero, h.EffectiveAt(4));
        Assert.Equal((UInt128)150, h.EffectiveAt(5));
        Assert.Equal((UInt128)150, h.EffectiveAt(8));
        Assert.Equal((UInt128)40, h.EffectiveAt(9));
        Assert.Equal((UInt128)40, h.EffectiveAt(1000));
        Assert.Throws<ArgumentException>(() => h.Record(6, 1));
    }

    [Fact]
    public void The_genesis_snapshot_serves_the_first_delay_epochs()
    {
        var h = new StakeHistory(2);
        h.Record(0, 50);
        h.Record(1, 70);
        Assert.Equal((UInt128)50, h.EffectiveAt(0));
        Assert.Equal((UInt128)50, h.EffectiveAt(1));
        Assert.Equal((UInt128)50, h.EffectiveAt(2));
        Assert.Equal((UInt128)70, h.EffectiveAt(3));
    }

    [Fact]
    public void Prune_keeps_answers_from_the_horizon_on_and_bounds_the_list()
    {
        var h = new StakeHistory(2);
        for (ulong e = 0; e < 50; e++) h.Record(e, (UInt128)(e * 10));
        var before = Enumerable.Range(40, 20).Select(e => h.EffectiveAt((ulong)e)).ToArray();
        h.Prune(40);
        Assert.Equal(50 - 38, h.Checkpoints.Count); // keeps epoch 38 (in force for epoch 40) onwards
        Assert.Equal(before, Enumerable.Range(40, 20).Select(e => h.EffectiveAt((ulong)e)).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => h.EffectiveAt(39));
        h.Prune(10); // never goes back
        Assert.Equal(40UL, h.PrunedBefore);
    }
}
