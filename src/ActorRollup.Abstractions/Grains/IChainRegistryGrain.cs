using ActorRollup.Abstractions.Security;
namespace ActorRollup.Abstractions;

/// <summary>One chain the cluster bootstrapped: what <c>rollup status</c> lists so the latest chains can be found by id.</summary>
[GenerateSerializer, Immutable, Alias("ar.ChainEntry")]
public sealed record ChainEntry(
    [property: Id(0)] string ChainId,
    /// <summary>When the chain was bootstrapped (Unix milliseconds, the silo's clock).</summary>
    [property: Id(1)] long CreatedAtMs,
    [property: Id(2)] int CommitteeSize,
    [property: Id(3)] int Sequencers,
    [property: Id(4)] int Validators);

/// <summary>
/// The chains bootstrapped in this cluster, newest last (a bounded list): every chain's Bootstrap records itself here.
/// One per cluster, at key <see cref="ChainRegistry.Key"/>.
/// </summary>
[Alias("ar.IChainRegistryGrain")]
public interface IChainRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Records a newly bootstrapped chain (called by <c>ChainGrain.Bootstrap</c>).</summary>
    [InternalCall, Alias("Record")] Task Record(ChainEntry entry);

    /// <summary>The <paramref name="count"/> most recently bootstrapped chains, newest first.</summary>
    [PublicCall, Alias("Latest")] Task<ChainEntry[]> Latest(int count);
}

public static class ChainRegistry
{
    /// <summary>The registry's key: there is one per cluster.</summary>
    public const long Key = 0;

    /// <summary>How many chains the registry keeps (the oldest are forgotten first).</summary>
    public const int Capacity = 256;

    public static IChainRegistryGrain ChainRegistryGrain(this IGrainFactory f) => f.GetGrain<IChainRegistryGrain>(Key);
}
