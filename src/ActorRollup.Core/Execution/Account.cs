namespace ActorRollup.Core.Execution;

/// <summary>
/// An L2 account: the next nonce it may use, its native-token balance and its balance of the chain's second token
/// (<see cref="Amm.SystemAddresses.Token"/>, PROTOCOL.md §12), both in base units (10^18 per whole token). The AMM pool
/// is an account too: its two balances are the pool's reserves.
/// </summary>
public readonly record struct Account(ulong Nonce, UInt128 Balance, UInt128 Tokens = default)
{
    public static readonly Account Empty = default;
}
