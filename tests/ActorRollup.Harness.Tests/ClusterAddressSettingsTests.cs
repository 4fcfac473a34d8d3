using ActorRollup.Abstractions.Config;
using ActorRollup.Harness.Supervisor;
using ActorRollup.Silo;
using Xunit;

namespace ActorRollup.Harness.Tests;

/// <summary>Cluster:ListenAddress / Cluster:AdvertisedAddress (silos on distinct hosts) and the leader-timeout floor.</summary>
public class ClusterAddressSettingsTests
{
    private static ClusterSettings Redis(string listen, string advertised = "") =>
        new() { Clustering = "Redis", Storage = "Redis", Redis = "127.0.0.1:6379", ListenAddress = listen, AdvertisedAddress = advertised };

    [Fact]
    public void Defaults_listen_and_advertise_loopback()
    {
        var settings = new ClusterSettings();
        Assert.Empty(settings.Validate());
        Assert.Equal("127.0.0.1", settings.AdvertisedIp.ToString());
        Assert.False(settings.ListensOnAny);
    }

    [Theory]
    [InlineData("127.0.0.2", "", "127.0.0.2")]
    [InlineData("10.0.0.5", "", "10.0.0.5")]
    [InlineData("0.0.0.0", "10.0.0.5", "10.0.0.5")]
    [InlineData("10.0.0.5", "203.0.113.7", "203.0.113.7")] // behind a NAT: listen privately, advertise the public address
    public void Redis_clustering_takes_any_reachable_pair(string listen, string advertised, string expected)
    {
        var settings = Redis(listen, advertised);
        Assert.Empty(settings.Validate());
        Assert.Equal(expected, settings.AdvertisedIp.ToString());
    }

    [Theory]
    [InlineData("localhost", "", "Cluster:ListenAddress 'localhost' is not an IP address")]
    [InlineData("", "", "Cluster:ListenAddress '' is not an IP address")]
    [InlineData("127.0.0.1", "host.example", "Cluster:AdvertisedAddress 'host.example' is not an IP address")]
    [InlineData("0.0.0.0", "", "Cluster:AdvertisedAddress is required when Cluster:ListenAddress is 0.0.0.0")]
    [InlineData("0.0.0.0", "0.0.0.0", "Cluster:AdvertisedAddress must be an address others can dial")]
    [InlineData("127.0.0.1", "10.0.0.5", "cannot reach a silo listening only on 127.0.0.1")]
    public void Bad_addresses_are_refused_by_name(string listen, string advertised, string error)
    {
        var errors = Redis(listen, advertised).Validate();
        Assert.Contains(errors, e => e.Contains(error, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("127.0.0.2", "")]
    [InlineData("10.0.0.5", "")]
    [InlineData("127.0.0.1", "127.0.0.3")]
    public void Localhost_clustering_stays_on_127_0_0_1(string listen, string advertised)
    {
        var errors = new ClusterSettings { ListenAddress = listen, AdvertisedAddress = advertised }.Validate();
        Assert.Contains(errors, e => e.Contains("need Cluster:Clustering Redis", StringComparison.Ordinal));
    }

    [Fact]
    public void Distinct_hosts_give_silo_n_address_n_plus_one()
    {
        var options = new ClusterUpOptions { Silos = 3, Redis = true, DistinctHosts = true };
        Assert.Equal(["127.0.0.1", "127.0.0.2", "127.0.0.3"], Enumerable.Range(0, 3).Select(options.AddressOf));
        Assert.Equal("127.0.0.1", new ClusterUpOptions { Silos = 3 }.AddressOf(2));
    }

    [Fact]
    public void Silo_record_gateway_uses_its_address()
    {
        var silo = new SiloRecord { Instance = 2, GatewayPort = 31202, Address = "127.0.0.3" };
        Assert.Equal("127.0.0.3:31202", silo.Gateway);
        Assert.Equal("127.0.0.1:30000", new SiloRecord { GatewayPort = 30000 }.Gateway); // records written before addresses
    }

    [Theory]
    // block interval ms, configured timeout ms, effective
    [InlineData(100, 0, 1_000)]   // 4 x 100 = 400: below the floor (a 410 ms healthy gap was measured)
    [InlineData(250, 0, 1_000)]
    [InlineData(400, 0, 1_600)]   // 4 x the interval above the floor
    [InlineData(100, 300, 300)]   // an explicit setting is taken as given
    public void Default_leader_timeout_is_four_intervals_but_at_least_one_second(int interval, int configured, int expected)
    {
        var config = new ChainConfig { BlockIntervalMs = interval, LeaderTimeoutMs = configured };
        Assert.Equal(expected, config.EffectiveLeaderTimeoutMs);
    }
}
