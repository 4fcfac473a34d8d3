using ActorRollup.Core.Scheduling;

namespace ActorRollup.Core.Tests.Scheduling;

public class EpochsTests
{
    [Theory]
    // length, height, epoch of it
    [InlineData(100UL, 0UL, 0UL)]
    [InlineData(100UL, 1UL, 1UL)]
    [InlineData(100UL, 100UL, 1UL)]
    [InlineData(100UL, 101UL, 2UL)]
    [InlineData(100UL, 200UL, 2UL)]
    [InlineData(2UL, 3UL, 2UL)]
    [InlineData(1UL, 7UL, 7UL)]
    [InlineData(100UL, ulong.MaxValue, ulong.MaxValue / 100 + 1)]
    public void EpochOfHeight(ulong length, ulong height, ulong epoch) => Assert.Equal(epoch, new Epochs(length).Of(height));

    [Theory]
    // length, epoch, first height, last height
    [InlineData(100UL, 0UL, 0UL, 0UL)]
    [InlineData(100UL, 1UL, 1UL, 100UL)]
    [InlineData(100UL, 2UL, 101UL, 200UL)]
    [InlineData(20UL, 5UL, 81UL, 100UL)]
    [InlineData(100UL, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue)] // saturates instead of wrapping
    public void FirstAndLastHeight(ulong length, ulong epoch, ulong first, ulong last)
    {
        var epochs = new Epochs(length);
        Assert.Equal((first, last), (epochs.FirstHeight(epoch), epochs.LastHeight(epoch)));
    }

    [Fact]
    public void EveryHeightLiesInItsEpochsRange_AndBoundariesAreTheLastHeights()
    {
        var epochs = new Epochs(7);
        for (ulong h = 1; h < 200; h++)
        {
            var e = epochs.Of(h);
            Assert.InRange(h, epochs.FirstHeight(e), epochs.LastHeight(e));
            Assert.Equal(h == epochs.LastHeight(e), epochs.IsLastOfEpoch(h));
        }
        Assert.False(epochs.IsLastOfEpoch(0));
    }

    [Fact]
    public void ZeroLengthIsRefused() => Assert.Throws<ArgumentOutOfRangeException>(() => new Epochs(0));
}
