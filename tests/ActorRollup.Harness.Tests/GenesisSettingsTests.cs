using ActorRollup.Abstractions.Config;
using ActorRollup.Silo;

namespace ActorRollup.Harness.Tests;

/// <summary>Where the configured chain's secret node-key seed comes from (<see cref="GenesisSettings.ToGenesis"/>,
/// ENCODING.md "Genesis keys"): <c>Genesis:NodeKeySeed</c>, else the operator key's HMAC, else a fresh random seed.</summary>
public class GenesisSettingsTests
{
    private static readonly ChainConfig Config = new() { ChainId = "rollup-1" };

    [Fact]
    public void A_configured_node_key_seed_is_used_as_is()
    {
        var genesis = new GenesisSettings { NodeKeySeed = "configured-node-key-seed" }.ToGenesis(Config, 0, "test-operator-key");
        Assert.Equal("configured-node-key-seed", genesis.NodeKeySeed);
        Assert.Empty(genesis.Validate());
    }

    [Fact]
    public void Without_one_it_is_the_documented_hmac_of_the_operator_key_and_the_chain_id()
    {
        var genesis = new GenesisSettings().ToGenesis(Config, 0, "test-operator-key");
        // HMAC-SHA256(key "test-operator-key", "ActorRollup/node-key-seed/v1/rollup-1"), lowercase hex (computed independently).
        Assert.Equal("384bec667ca3631ebe1a78dbcdb8f592ce88f6900455a8396d6696cfad42b83e", genesis.NodeKeySeed);
        Assert.Equal(GenesisKeys.NodeKeySeedFromOperatorKey("test-operator-key", "rollup-1"), genesis.NodeKeySeed);
        Assert.NotEqual(genesis.NodeKeySeed, GenesisKeys.NodeKeySeedFromOperatorKey("test-operator-key", "rollup-2"));
        Assert.NotEqual(genesis.NodeKeySeed, GenesisKeys.NodeKeySeedFromOperatorKey("another-operator-key", "rollup-1"));
        Assert.Equal(ChainGenesis.DefaultLoadTestSeed, genesis.LoadTestSeed);
        Assert.Empty(genesis.Validate());
    }

    [Fact]
    public void With_neither_it_is_a_fresh_random_seed()
    {
        var a = new GenesisSettings().ToGenesis(Config, 0, null).NodeKeySeed;
        var b = new GenesisSettings().ToGenesis(Config, 0, null).NodeKeySeed;
        Assert.NotNull(a);
        Assert.Equal(64, a.Length);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void A_short_node_key_seed_or_an_empty_load_test_seed_is_a_settings_error()
    {
        Assert.Contains(new GenesisSettings { NodeKeySeed = "short" }.Validate(), e => e.Contains("Genesis:NodeKeySeed must be at least 16 characters"));
        Assert.Contains(new GenesisSettings { LoadTestSeed = "" }.Validate(), e => e.Contains("Genesis:LoadTestSeed must not be empty"));
        var same = new GenesisSettings { NodeKeySeed = "same-seed-for-both-0001", LoadTestSeed = "same-seed-for-both-0001" }.ToGenesis(Config, 0, null);
        Assert.Contains(same.Validate(), e => e.Contains("must differ from the public Genesis:LoadTestSeed"));
    }
}
