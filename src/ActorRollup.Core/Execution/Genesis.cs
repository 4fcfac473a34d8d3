using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.State;

namespace ActorRollup.Core.Execution;

/// <summary>An account funded at genesis, with native tokens and optionally the second token.</summary>
public sealed record GenesisAccount(Address Address, UInt128 Balance, UInt128 Tokens = default);

/// <summary>
/// Genesis state (PROTOCOL.md §2): accounts funded from configuration, including a deterministic set of
/// load-test accounts whose keys derive from a seed (<see cref="SigningKey.Derive"/>), so any harness that knows
/// the seed can sign for them.
/// </summary>
public static class Genesis
{
    /// <summary>The genesis state; an address listed twice is an error naming it.</summary>
    public static StateTree BuildState(IEnumerable<GenesisAccount> accounts)
    {
        var seen = new Dictionary<Address, Account>();
        foreach (var account in accounts)
        {
            if (!seen.TryAdd(account.Address, new Account(0, account.Balance, account.Tokens)))
                throw new ArgumentException($"genesis funds {account.Address} twice");
        }
        return StateTree.FromAccounts(seen);
    }

    /// <summary>Load-test keys 0..count-1 of <paramref name="seed"/>, derived in parallel, in index order.</summary>
    public static SigningKey[] LoadTestKeys(string seed, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var keys = new SigningKey[count];
        Parallel.For(0, count, i => keys[i] = SigningKey.Derive(seed, (ulong)i));
        return keys;
    }

    /// <summary>Ethereum-format load-test keys 0..count-1 of <paramref name="seed"/> (<see cref="EthKey.Derive"/>), in index order.</summary>
    public static EthKey[] LoadTestEthKeys(string seed, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var keys = new EthKey[count];
        Parallel.For(0, count, i => keys[i] = EthKey.Derive(seed, (ulong)i));
        return keys;
    }

    /// <summary>Total native balance of a state (the L2 part of the supply-conservation check).</summary>
    public static UInt128 TotalBalance(StateTree state)
    {
        UInt128 total = 0;
        foreach (var (_, account) in state.Enumerate()) total = checked(total + account.Balance);
        return total;
    }

    /// <summary>Total second-token balance of a state, the pool's reserve included: constant from genesis on (nothing mints
    /// or burns it, PROTOCOL.md §12).</summary>
    public static UInt128 TotalTokens(StateTree state)
    {
        UInt128 total = 0;
        foreach (var (_, account) in state.Enumerate()) total = checked(total + account.Tokens);
        return total;
    }
}
