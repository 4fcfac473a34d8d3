namespace ActorRollup.Core.Placement;

/// <summary>
/// Which silo a grain of a chain goes to (docs/ARCHITECTURE.md, "Placement"), as a pure rule over a count of silos
/// sorted by address; the silo side (Grains/Infrastructure/RollupPlacement.cs) feeds it the live, compatible silos.
/// <list type="bullet">
/// <item>The chain-wide grains of chain C (chain, mempool, rotation, settlement) all go to slot
/// <see cref="ChainSlot"/> = <see cref="StableHash"/>(C) mod n: together, and several chains spread over the silos.</item>
/// <item>A per-member grain of chain C with id M goes to slot (<see cref="StableHash"/>(C) + start +
/// <see cref="MemberIndex"/>(M)) mod n, start = <see cref="SequencerStart"/> (1) for sequencers and stakers,
/// <see cref="ValidatorStart"/> (2) for validators: consecutive members fill the silos round-robin (16 on 3 silos:
/// 6/5/5), beginning on the silo after the chain's, so the silo that carries the chatty chain-wide grains gets the
/// fewest members (16 on 3: 5), and the validators begin one silo further on.</item>
/// </list>
/// The hash is FNV-1a over the id's UTF-16 code units: the same on every silo and every run (string.GetHashCode is
/// randomised per process).
/// </summary>
public static class PlacementRule
{
    /// <summary>A member's index in id order: the number its id ends with (<c>seq-007</c> → 7, at most 9 digits); an id
    /// without one gets <see cref="StableHash"/> of itself. The network model's regions use the same index.</summary>
    public static int MemberIndex(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        int end = id.Length, start = end;
        while (start > 0 && end - start < 9 && char.IsAsciiDigit(id[start - 1])) start--;
        if (start < end) return int.Parse(id.AsSpan(start, end - start), System.Globalization.CultureInfo.InvariantCulture);
        return StableHash(id);
    }

    /// <summary>FNV-1a (32 bit) of <paramref name="text"/>, made non-negative.</summary>
    public static int StableHash(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        uint h = 2166136261;
        foreach (char c in text) h = (h ^ c) * 16777619;
        return (int)(h & 0x7fffffff);
    }

    /// <summary>Where a chain's sequencers (and stakers) begin: the silo after the chain's.</summary>
    public const int SequencerStart = 1;
    /// <summary>Where a chain's validators begin: two silos after the chain's.</summary>
    public const int ValidatorStart = 2;

    /// <summary>The slot (0..<paramref name="silos"/>-1) of member <paramref name="memberId"/> of chain
    /// <paramref name="chainId"/>, its kind beginning <paramref name="start"/> silos after the chain's.</summary>
    public static int MemberSlot(string chainId, string memberId, int silos, int start = SequencerStart)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(silos);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        return (int)(((long)StableHash(chainId) + start + MemberIndex(memberId)) % silos);
    }

    /// <summary>The slot of every chain-wide grain of chain <paramref name="chainId"/>.</summary>
    public static int ChainSlot(string chainId, int silos)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(silos);
        return StableHash(chainId) % silos;
    }

    /// <summary>The region of the silo at <paramref name="instance"/> (0-based) when a cluster is started with
    /// <paramref name="regions"/> (<c>cluster up --regions</c>): region i for silo i, round-robin when there are more
    /// silos than regions (two silos then share a region); regions beyond the silo count have no silo, and their
    /// members are spread over the other silos.</summary>
    public static string SiloRegion(IReadOnlyList<string> regions, int instance)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(instance);
        if (regions.Count == 0) throw new ArgumentException("no regions", nameof(regions));
        return regions[instance % regions.Count];
    }
}
