using System.Net;
using ActorRollup.Harness.LoadTest;
using ActorRollup.Harness.Supervisor;

namespace ActorRollup.Harness.Tests;

/// <summary>The harness side of placement: which region <c>cluster up</c> gives each silo, and results.json's per-silo grouping.</summary>
public sealed class PlacementRecordTests
{
    [Fact]
    public void Cluster_up_gives_silo_i_region_i_of_either_form_of_regions()
    {
        var net = new NetworkRecord { Model = "aws", Regions = "us-east-1,eu-west-1,ap-northeast-1" };
        Assert.Equal(["us-east-1", "eu-west-1", "ap-northeast-1", "us-east-1"], Enumerable.Range(0, 4).Select(i => LocalCluster.SiloRegion(net, i)!).ToArray());
        var counted = net with { Regions = "us-east-1:10,eu-west-1:6" };
        Assert.Equal(["us-east-1", "eu-west-1", "us-east-1"], Enumerable.Range(0, 3).Select(i => LocalCluster.SiloRegion(counted, i)!).ToArray());
        Assert.Null(LocalCluster.SiloRegion(null, 0));
    }

    [Fact]
    public void A_silo_records_region_round_trips_through_cluster_json()
    {
        var folder = new ClusterStateFolder(Directory.CreateTempSubdirectory("actorrollup-place-").FullName);
        try
        {
            folder.Save(new ClusterRecord { Silos = [new SiloRecord { Instance = 1, SiloPort = 12101, Region = "eu-west-1" }, new SiloRecord { Instance = 2 }] });
            var loaded = folder.Load()!;
            Assert.Equal("eu-west-1", loaded.Silos[0].Region);
            Assert.Null(loaded.Silos[1].Region);
        }
        finally
        {
            Directory.Delete(folder.Path, recursive: true);
        }
    }

    [Fact]
    public void Placement_groups_grains_by_silo_chain_wide_first()
    {
        var a = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 12101), 5);
        var b = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 12100), 7);
        var placement = new Dictionary<string, SiloAddress>
        {
            ["sequencer seq-001"] = a, ["chain"] = a, ["validator val-00"] = b, ["sequencer seq-000"] = b, ["mempool"] = a,
        };
        var silos = GrainPlacement.BySilo(placement, s => s.Endpoint.Port == 12101 ? (1, "eu-west-1") : (null, null));
        Assert.Equal(["127.0.0.1:12100", "127.0.0.1:12101"], silos.Select(s => s.Silo).ToArray());
        Assert.Equal(["sequencer seq-000", "validator val-00"], silos[0].Grains);
        Assert.Equal(["chain", "mempool", "sequencer seq-001"], silos[1].Grains);
        Assert.Equal((1, "eu-west-1"), (silos[1].Instance!.Value, silos[1].Region));
        Assert.Null(silos[0].Instance);
    }
}
