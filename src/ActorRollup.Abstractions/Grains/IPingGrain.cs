using ActorRollup.Abstractions.Security;
namespace ActorRollup.Abstractions;

/// <summary>A grain that does nothing but answer: the harness measures the cluster's grain-call ceiling with it.</summary>
[Alias("ar.IPingGrain")]
public interface IPingGrain : IGrainWithIntegerKey
{
    [PublicCall, Alias("Ping")] Task<int> Ping(int value);
}
