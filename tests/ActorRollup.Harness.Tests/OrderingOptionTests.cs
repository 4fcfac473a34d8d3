using ActorRollup.Abstractions.Config;
using ActorRollup.Core.Blocks;
using ActorRollup.Harness;

namespace ActorRollup.Harness.Tests;

/// <summary>loadtest --ordering: the five spellings parse; an MEV policy is refused until it is implemented (never run as a
/// stand-in for another policy), by the command line and by the chain's configuration.</summary>
public sealed class OrderingOptionTests
{
    [Theory]
    [InlineData("fcfs", OrderingPolicy.Fcfs)]
    [InlineData("fee-priority", OrderingPolicy.FeePriority)]
    [InlineData("builder-auction", OrderingPolicy.BuilderAuction)]
    [InlineData("express-lane", OrderingPolicy.ExpressLane)]
    [InlineData("encrypted", OrderingPolicy.Encrypted)]
    public void Spellings_round_trip(string text, OrderingPolicy policy)
    {
        Assert.True(OrderingPolicies.TryParse(text, out var parsed));
        Assert.Equal(policy, parsed);
        Assert.Equal(text, OrderingPolicies.Name(policy));
    }

    [Theory]
    [InlineData("builder-auction")]
    [InlineData("express-lane")]
    public async Task An_unimplemented_policy_is_refused_with_one_line(string value)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await Cli.RunAsync(["loadtest", "--ordering", value], stdout, stderr);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Equal($"error: --ordering {value} is not implemented yet (fcfs, fee-priority and encrypted are)", Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.True(OrderingPolicies.TryParse(value, out var policy));
        Assert.Contains(new ChainConfig { ChainId = "ordering-test", Ordering = policy }.Validate(), e => e.Contains("not implemented yet"));
    }

    [Fact]
    public void Encrypted_is_implemented_and_validates()
    {
        Assert.True(OrderingPolicies.IsImplemented(OrderingPolicy.Encrypted));
        Assert.DoesNotContain(new ChainConfig { ChainId = "ordering-test", Ordering = OrderingPolicy.Encrypted }.Validate(), e => e.Contains("Ordering"));
    }

    [Theory]
    [InlineData("FeePriority")]
    [InlineData("fifo")]
    [InlineData("")]
    public async Task An_unknown_policy_is_refused_with_the_spellings(string value)
    {
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.Usage, await Cli.RunAsync(["loadtest", "--ordering", value], new StringWriter(), stderr));
        Assert.Equal($"error: --ordering must be fcfs, fee-priority, builder-auction, express-lane or encrypted, got '{value}'",
            Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }
}
