using ActorRollup.Core.Placement;

namespace ActorRollup.Core.Tests.Placement;

public class PlacementRuleTests
{
    [Theory]
    [InlineData("chain-a")]
    [InlineData("lt-1202190000-c16")]
    [InlineData("x")]
    public void A_committee_of_16_on_3_silos_gets_5_5_6(string chainId)
    {
        var counts = new int[3];
        for (int i = 0; i < 16; i++) counts[PlacementRule.MemberSlot(chainId, $"seq-{i:D3}", 3)]++;
        Assert.Equal([5, 5, 6], counts.Order().ToArray());
    }

    [Theory]
    [InlineData("chain-a")]
    [InlineData("lt-1202190000-c16")]
    public void The_chains_silo_gets_the_fewest_of_16_members_on_3_silos(string chainId)
    {
        int chainSlot = PlacementRule.ChainSlot(chainId, 3);
        Assert.Equal(5, Enumerable.Range(0, 16).Count(i => PlacementRule.MemberSlot(chainId, $"seq-{i:D3}", 3) == chainSlot));
    }

    [Fact]
    public void Consecutive_members_fill_the_silos_round_robin_from_the_silo_after_the_chains()
    {
        const string chain = "round";
        int first = PlacementRule.MemberSlot(chain, "seq-000", 4);
        Assert.Equal((PlacementRule.ChainSlot(chain, 4) + 1) % 4, first);
        Assert.Equal((PlacementRule.ChainSlot(chain, 4) + 2) % 4, PlacementRule.MemberSlot(chain, "val-00", 4, PlacementRule.ValidatorStart));
        for (int i = 1; i < 12; i++) Assert.Equal((first + i) % 4, PlacementRule.MemberSlot(chain, $"seq-{i:D3}", 4));
    }

    [Fact]
    public void The_rule_is_stable_across_calls_and_processes()
    {
        // FNV-1a of the id, not string.GetHashCode (randomised per process).
        uint h = 2166136261;
        foreach (char c in "chain-a") h = (h ^ c) * 16777619;
        Assert.Equal((int)(h & 0x7fffffff), PlacementRule.StableHash("chain-a"));
        Assert.Equal(PlacementRule.ChainSlot("chain-a", 3), PlacementRule.ChainSlot("chain-a", 3));
    }

    [Fact]
    public void Several_chains_put_their_chain_wide_grains_on_different_silos()
    {
        var slots = Enumerable.Range(0, 30).Select(i => PlacementRule.ChainSlot($"lt-chain-{i}", 3)).ToHashSet();
        Assert.Equal(3, slots.Count);
    }

    [Theory]
    [InlineData("seq-007", 7)]
    [InlineData("val-12", 12)]
    [InlineData("seq-1234567890", 234567890)]
    public void A_members_index_is_the_number_its_id_ends_with(string id, int index) =>
        Assert.Equal(index, PlacementRule.MemberIndex(id));

    [Fact]
    public void An_id_without_digits_gets_its_stable_hash() =>
        Assert.Equal(PlacementRule.StableHash("alice"), PlacementRule.MemberIndex("alice"));

    [Fact]
    public void Silo_i_is_region_i_round_robin_beyond_the_regions()
    {
        string[] regions = ["us-east-1", "eu-west-1", "ap-northeast-1"];
        Assert.Equal(["us-east-1", "eu-west-1", "ap-northeast-1", "us-east-1"], Enumerable.Range(0, 4).Select(i => PlacementRule.SiloRegion(regions, i)).ToArray());
    }

    [Fact]
    public void Bad_counts_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PlacementRule.MemberSlot("c", "seq-001", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => PlacementRule.ChainSlot("c", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => PlacementRule.MemberSlot("c", "seq-001", 3, -1));
        Assert.Throws<ArgumentException>(() => PlacementRule.SiloRegion([], 0));
    }
}
