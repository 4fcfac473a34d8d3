using ActorRollup.Abstractions;
using ActorRollup.Grains.Infrastructure;

namespace ActorRollup.Grains.Registry;

[GenerateSerializer, Alias("ar.ChainRegistryState")]
public sealed class ChainRegistryState
{
    /// <summary>Bootstrapped chains, oldest first, at most <see cref="ChainRegistry.Capacity"/>.</summary>
    [Id(0)] public List<ChainEntry> Chains { get; set; } = [];
}

/// <summary>The cluster's list of bootstrapped chains: written once per bootstrap, read by <c>rollup status</c>.</summary>
public sealed class ChainRegistryGrain([PersistentState("chain-registry", StorageNames.Rollup)] IPersistentState<ChainRegistryState> state)
    : Grain, IChainRegistryGrain
{
    public async Task Record(ChainEntry entry)
    {
        var chains = state.State.Chains;
        chains.RemoveAll(c => c.ChainId == entry.ChainId);
        chains.Add(entry);
        if (chains.Count > ChainRegistry.Capacity) chains.RemoveRange(0, chains.Count - ChainRegistry.Capacity);
        await state.WriteStateAsync();
    }

    public Task<ChainEntry[]> Latest(int count) =>
        Task.FromResult(state.State.Chains.AsEnumerable().Reverse().Take(Math.Max(0, count)).ToArray());
}
