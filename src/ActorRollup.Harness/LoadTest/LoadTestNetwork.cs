using ActorRollup.Core.Network;
using ActorRollup.Grains.Infrastructure;

namespace ActorRollup.Harness.LoadTest;

/// <summary>
/// A load test's network (docs/NETWORK.md, "Load tests over a network"): the matrix of <c>--network</c>, the members'
/// spread (<c>--regions</c>), the validators' (<c>--validator-regions</c>, default the same spread) and the client's region
/// (<c>--client-region</c>, default the first of <c>--regions</c>). Each run assigns its chain this spread in the embedded
/// silo (<see cref="NetworkTopology.Assign"/>).
/// </summary>
public sealed class LoadTestNetwork
{
    private LoadTestNetwork(LatencyMatrix matrix, RegionSpec members, RegionSpec validators, string clientRegion)
    {
        Matrix = matrix;
        Members = members;
        Validators = validators;
        ClientRegion = clientRegion;
    }

    public LatencyMatrix Matrix { get; }
    public RegionSpec Members { get; }
    public RegionSpec Validators { get; }
    public string ClientRegion { get; }

    /// <summary>"aws" or the matrix file as given.</summary>
    public string Source => Matrix.Name;
    public bool BuiltIn => Matrix.Name == LatencyMatrix.Aws;

    /// <summary>
    /// Checks the network options of a load test; null and no error without any of them. Every problem is one line
    /// naming the option (the command exits 2 with it).
    /// </summary>
    public static LoadTestNetwork? TryCreate(string? network, string? regions, string? validatorRegions, string? clientRegion, bool gateway,
        IReadOnlyList<int> committeeSizes, int validators, out string? error)
    {
        error = null;
        bool Given(string? s) => s is not null;
        if (!Given(network))
        {
            var stray = Given(regions) ? "--regions" : Given(validatorRegions) ? "--validator-regions" : Given(clientRegion) ? "--client-region" : null;
            if (stray is not null) error = $"{stray} needs --network (the regions are places in a network model: --network aws or a JSON matrix file)";
            return null;
        }
        if (gateway)
        {
            error = "--network cannot be used with --gateway: the cluster's Network:* settings apply (a cluster's network is its silos' settings, docs/NETWORK.md)";
            return null;
        }
        LatencyMatrix matrix;
        try
        {
            matrix = LatencyMatrix.Load(network!.Trim());
        }
        catch (FormatException e)
        {
            error = e.Message.StartsWith("network", StringComparison.Ordinal) ? "--" + e.Message : "--network: " + e.Message;
            return null;
        }
        if (!Given(regions))
        {
            error = "--network needs --regions: the members' regions, R1,R2,... (round-robin) or R1:N1,R2:N2,... (in id order)";
            return null;
        }
        var members = Spec("--regions", regions!, matrix, committeeSizes, "the committee size", out error);
        if (members is null) return null;
        var validatorSpec = Given(validatorRegions) ? Spec("--validator-regions", validatorRegions!, matrix, [validators], "--validators", out error) : members;
        if (validatorSpec is null) return null;
        // The default is the members' spread; counts that do not fit the validators deal the same regions round-robin.
        if (!Given(validatorRegions) && validatorSpec.HasCounts && validatorSpec.Total != validators)
            validatorSpec = RegionSpec.Parse(string.Join(",", validatorSpec.Regions));
        var client = Given(clientRegion) ? clientRegion!.Trim() : members.Regions[0];
        try
        {
            RegionSpec.CheckRegion(matrix, client, "--client-region");
        }
        catch (FormatException e)
        {
            error = e.Message;
            return null;
        }
        return new LoadTestNetwork(matrix, members, validatorSpec, client);
    }

    private static RegionSpec? Spec(string option, string text, LatencyMatrix matrix, IReadOnlyList<int> sizes, string sizeName, out string? error)
    {
        error = null;
        RegionSpec spec;
        try
        {
            spec = RegionSpec.Parse(text);
            spec.CheckIn(matrix, option);
        }
        catch (FormatException e)
        {
            error = e.Message.StartsWith("regions", StringComparison.Ordinal) ? $"{option}{e.Message["regions".Length..]}" : e.Message;
            if (!error.StartsWith(option, StringComparison.Ordinal)) error = $"{option}: {error}";
            return null;
        }
        if (!spec.HasCounts) return spec;
        var sizeList = sizes.Distinct().ToList();
        if (sizeList.Count > 1)
        {
            error = $"{option} '{spec.Text}': counts fit one committee size (they add up to {spec.Total}), and the sweep runs {string.Join(",", sizeList)}; " +
                    $"give the round-robin form {string.Join(",", spec.Regions)}";
            return null;
        }
        if (spec.Total != sizeList[0])
        {
            var what = sizeName == "--validators" ? $"--validators {sizeList[0]}" : $"the committee size {sizeList[0]}";
            error = $"{option} '{spec.Text}': the counts add up to {spec.Total}, not {what}";
            return null;
        }
        return spec;
    }

    /// <summary>The error line for the first network fault that does not fit this network and these committees (or any
    /// network fault without one), or null.</summary>
    public static string? CheckFaults(IEnumerable<FaultSpec> faults, LoadTestNetwork? network, IReadOnlyList<int> committeeSizes)
    {
        foreach (var f in faults.Where(f => f.IsNetwork))
        {
            if (network is null) return $"--faults: fault '{f}' acts on the network model: it needs --network";
            if (f.Kind == FaultSpec.Partition && !network.Matrix.Contains(f.Argument))
                return $"--faults: fault '{f}': region '{f.Argument}' is not in the network '{network.Source}'";
            if (f.Kind == FaultSpec.Isolate && f.Argument != FaultSpec.Leader)
            {
                var smallest = committeeSizes.Min();
                if (!Enumerable.Range(0, smallest).Select(MemberId).Contains(f.Argument, StringComparer.Ordinal))
                    return $"--faults: fault '{f}': '{f.Argument}' is not a member of committee {smallest} (its members are {MemberId(0)}..{MemberId(smallest - 1)}; or isolate@time:leader)";
            }
        }
        return null;
    }

    /// <summary>The id a load test gives member <paramref name="index"/> (LoadTestRun's genesis).</summary>
    public static string MemberId(int index) => $"seq-{index:D3}";

    /// <summary>The id a load test gives validator <paramref name="index"/>.</summary>
    public static string ValidatorId(int index) => $"val-{index:D2}";

    /// <summary>The members' regions of a committee of <paramref name="size"/>, index 0 first.</summary>
    public string[] MemberRegions(int size) => Enumerable.Range(0, size).Select(Members.RegionOf).ToArray();

    /// <summary>The worst quorum round trip of a committee of <paramref name="size"/> with the load test's genesis stakes
    /// (<see cref="QuorumRtt.WorstMs"/>).</summary>
    public double QuorumRttMs(int size)
    {
        var config = new Abstractions.Config.ChainConfig(); // the load test's stake bounds are the defaults
        var powers = Enumerable.Range(0, size).Select(i => (long)LoadTestRun.StakeOf(config, i, size)).ToArray();
        return QuorumRtt.WorstMs(Matrix, MemberRegions(size), powers);
    }

    /// <summary>The embedded silo's settings: this matrix, the silo-wide spread (each run overrides it for its chain) and the client's region.</summary>
    public NetworkOptions SiloOptions(ulong seed) => new()
    {
        Model = Matrix.Name,
        Regions = Members.Text,
        ValidatorRegions = Validators.Text,
        ClientRegion = ClientRegion,
        Seed = seed,
    };

    /// <summary>results.json's <c>network</c> of one run: its committee's and validators' regions by id.</summary>
    public NetworkResult Describe(int committeeSize, int validators) => new()
    {
        Name = BuiltIn ? Source : null,
        File = BuiltIn ? null : Source,
        ClientRegion = ClientRegion,
        Members = Enumerable.Range(0, committeeSize).ToDictionary(MemberId, Members.RegionOf),
        Validators = Enumerable.Range(0, validators).ToDictionary(ValidatorId, Validators.RegionOf),
    };
}
