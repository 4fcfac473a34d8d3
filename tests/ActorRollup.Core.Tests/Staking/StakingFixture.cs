using ActorRollup.Core.Primitives;
using ActorRollup.Core.Staking;

namespace ActorRollup.Core.Tests.Staking;

/// <summary>Addresses, keys and a funded ledger shared by the staking tests.</summary>
internal static class StakingFixture
{
    public static readonly Address Owner = Addr(1);
    public static readonly Address Alice = Addr(2);
    public static readonly Address Bob = Addr(3);
    public static readonly Address Carol = Addr(4);
    public static readonly Address Reporter1 = Addr(10);
    public static readonly Address Reporter2 = Addr(11);
    public static readonly Address Reporter3 = Addr(12);

    public static Address Addr(int i) => new(0xA000_0000_0000_0000UL, 0, (uint)i);

    /// <summary>A distinct 32-byte signer key per index.</summary>
    public static byte[] Key(int i)
    {
        var key = new byte[32];
        key[0] = 0x5E;
        key[31] = (byte)i;
        key[30] = (byte)(i >> 8);
        return key;
    }

    public static UInt128 T(ulong tokens) => Token.FromTokens(tokens);

    /// <summary>A ledger with Owner, Alice, Bob and Carol funded with 200,000 tokens each.</summary>
    public static StakingLedger Funded(StakingParameters? parameters = null)
    {
        var ledger = new StakingLedger(parameters);
        foreach (var a in new[] { Owner, Alice, Bob, Carol })
            Assert.Equal(StakingReason.Ok, ledger.Fund(a, T(200_000)).Reason);
        return ledger;
    }

    /// <summary>Owner registers "seq-1" with 20k self-stake at epoch 0; Alice delegates 30k, Bob 50k (total = maxLock).</summary>
    public static StakingLedger ThreeStakers(StakingParameters? parameters = null)
    {
        var ledger = Funded(parameters);
        Assert.Equal(StakingReason.Ok, ledger.RegisterSequencer(Owner, "seq-1", Key(1), T(20_000), 0).Reason);
        Assert.Equal(StakingReason.Ok, ledger.Delegate(Alice, "seq-1", T(30_000), 0).Reason);
        Assert.Equal(StakingReason.Ok, ledger.Delegate(Bob, "seq-1", T(50_000), 0).Reason);
        return ledger;
    }

    public static void AssertSound(StakingLedger ledger)
    {
        var errors = ledger.CheckInvariants();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.True(ledger.CheckConservation().Holds, ledger.CheckConservation().ToString());
    }
}
