using ActorRollup.Core.Blocks;
using ActorRollup.Core.Execution;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.State;

namespace ActorRollup.Abstractions.Config;

/// <summary>
/// Builds the genesis state and block 0 from a <see cref="ChainGenesis"/>. Deterministic: the chain and every
/// validator build it independently and get the same root and hash.
/// </summary>
public static class GenesisBuilder
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<StateTree>> Built = new();

    /// <summary>The genesis state, built once per silo per genesis (deriving thousands of keys is slow; the tree is immutable).</summary>
    public static StateTree BuildState(ChainGenesis genesis)
    {
        if (Built.Count > 64) Built.Clear();
        // Keyed by everything the state depends on (records compare arrays by reference, so not the record itself).
        var key = $"{genesis.Config.ChainId}|{genesis.LoadTestSeed}|{genesis.LoadTestAccounts}|{genesis.LoadTestAccountTokens}|{genesis.LoadTestEthAccounts}|" +
                  $"{genesis.LoadTestAccountTkn}|{genesis.PoolNativeTokens}|{genesis.PoolTkn}|" +
                  string.Join(";", genesis.Accounts.Select(a => $"{a.Address}={a.Tokens}/{a.Tkn}"));
        return Built.GetOrAdd(key, _ => new Lazy<StateTree>(() => Build(genesis))).Value;
    }

    private static StateTree Build(ChainGenesis genesis)
    {
        var accounts = new List<GenesisAccount>();
        accounts.AddRange(genesis.Accounts.Select(a => new GenesisAccount(Address.Parse(a.Address), Token.FromTokens(a.Tokens), Token.FromTokens(a.Tkn))));
        var keys = Core.Execution.Genesis.LoadTestKeys(genesis.LoadTestSeed, genesis.LoadTestAccounts);
        var balance = Token.FromTokens(genesis.LoadTestAccountTokens);
        var tkn = Token.FromTokens(genesis.LoadTestAccountTkn);
        accounts.AddRange(keys.Select(k => new GenesisAccount(k.Address, balance, tkn)));
        foreach (var k in keys) k.Dispose();
        accounts.AddRange(Core.Execution.Genesis.LoadTestEthKeys(genesis.LoadTestSeed, genesis.LoadTestEthAccounts).Select(k => new GenesisAccount(k.Address, balance, tkn)));
        if (genesis.PoolNativeTokens > 0)
            accounts.Add(new GenesisAccount(Core.Amm.SystemAddresses.Pool, Token.FromTokens(genesis.PoolNativeTokens), Token.FromTokens(genesis.PoolTkn)));
        return Core.Execution.Genesis.BuildState(accounts);
    }

    /// <summary>Block 0: height 0, epoch 0, term 0, zero parent, empty body, the genesis state root; unsigned.</summary>
    public static BlockHeader Header(ChainGenesis genesis, Hash32 stateRoot) =>
        new(genesis.Config.ChainId, 0, 0, 0, Hash32.Zero, Hash32.Zero, stateRoot, genesis.GenesisTimeMs, "genesis", default);
}
