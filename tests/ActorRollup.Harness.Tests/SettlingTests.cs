using ActorRollup.Harness.LoadTest;
using Orleans.Runtime;

namespace ActorRollup.Harness.Tests;

public class SettlingTests
{
    [Fact]
    public async Task A_step_rejected_by_a_stopping_silo_is_made_again_until_it_succeeds()
    {
        int calls = 0;
        var value = await Settling.RunAsync(() =>
        {
            if (++calls < 3) throw new SiloUnavailableException("Silo stopping");
            return Task.FromResult(42);
        }, TimeSpan.FromSeconds(30));
        Assert.Equal(42, value);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task A_failure_that_is_not_the_cluster_settling_fails_at_once()
    {
        int calls = 0;
        await Assert.ThrowsAsync<ArgumentException>(() => Settling.RunAsync<int>(() =>
        {
            calls++;
            throw new ArgumentException("no such chain");
        }, TimeSpan.FromSeconds(30)));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task After_the_timeout_the_last_failure_stands()
    {
        int calls = 0;
        var e = await Assert.ThrowsAsync<TimeoutException>(() => Settling.RunAsync<int>(() =>
        {
            calls++;
            throw new TimeoutException("still down");
        }, TimeSpan.Zero));
        Assert.Equal("still down", e.Message);
        Assert.Equal(1, calls);
    }
}
