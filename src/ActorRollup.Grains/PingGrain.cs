using ActorRollup.Abstractions;

namespace ActorRollup.Grains;

/// <summary>Answers at once; the ceiling measurement of grain calls per second.</summary>
public sealed class PingGrain : Grain, IPingGrain
{
    public Task<int> Ping(int value) => Task.FromResult(value + 1);
}
