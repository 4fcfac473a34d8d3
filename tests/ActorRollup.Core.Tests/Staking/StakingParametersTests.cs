using ActorRollup.Core.Primitives;
using ActorRollup.Core.Staking;

namespace ActorRollup.Core.Tests.Staking;

public class StakingParametersTests
{
    [Fact]
    public void Defaults_are_the_protocol_values_and_valid()
    {
        var p = new StakingParameters();
        Assert.Empty(p.Validate());
        Assert.Equal(Token.FromTokens(20_000), p.MinLock);
        Assert.Equal(Token.FromTokens(100_000), p.MaxLock);
        Assert.Equal(2UL, p.ExitDelayEpochs);
        Assert.Equal(2UL, p.ActivationDelayEpochs);
        Assert.Equal(1000u, p.CommissionBps);
        Assert.Equal("0.000761", Token.Format(p.RewardPerBlock));
        Assert.Equal((1000u, 10UL, false), p.PenaltyFor(SlashKind.InvalidStateRoot));
        Assert.Equal((500u, 0UL, true), p.PenaltyFor(SlashKind.Equivocation));
        Assert.Equal((1u, 2UL, false), p.PenaltyFor(SlashKind.Downtime));
        Assert.Equal(5000u, p.ReporterShareBps);
        Assert.Null(p.Whitelist);
    }

    [Fact]
    public void Every_error_names_its_parameter()
    {
        var p = new StakingParameters
        {
            MinLock = Token.FromTokens(200_000),
            CommissionBps = 10_001,
            InvalidRootSlashBps = 0,
            EquivocationSlashBps = 10_001,
            DowntimeSlashBps = 0,
            ReporterShareBps = 20_000,
            ExitDelayEpochs = 1,
            Whitelist = new HashSet<Address>(),
        };
        var errors = p.Validate();
        Assert.Contains("Staking:MinLock must be > 0 and <= MaxLock", errors);
        foreach (var name in new[] { "CommissionBps", "InvalidRootSlashBps", "EquivocationSlashBps", "DowntimeSlashBps", "ReporterShareBps", "ExitDelayEpochs", "Whitelist" })
            Assert.Contains(errors, e => e.StartsWith("Staking:" + name + " ", StringComparison.Ordinal));
        Assert.Equal(8, errors.Count);
        Assert.Throws<ArgumentException>(() => new StakingLedger(p));
        Assert.Contains(new StakingParameters { MinLock = 0 }.Validate(), e => e.StartsWith("Staking:MinLock", StringComparison.Ordinal));
    }
}
