namespace ActorRollup.Core.Execution;

/// <summary>An L2 account: the next nonce it may use and its native-token balance in base units.</summary>
public readonly record struct Account(ulong Nonce, UInt128 Balance)
{
    public static readonly Account Empty = default;
}
