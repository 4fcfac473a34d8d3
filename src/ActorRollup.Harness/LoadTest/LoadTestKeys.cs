using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;

namespace ActorRollup.Harness.LoadTest;

/// <summary>
/// A run's load-test accounts in the run's transaction format (--tx-format): their addresses by index, and a signed
/// transfer from one of them. Native accounts are the genesis's Ed25519 load-test accounts
/// (<c>SigningKey.Derive(LoadTestSeed, i)</c>); eth accounts its Ethereum ones (<c>EthKey.Derive(LoadTestSeed, i)</c>),
/// which sign EIP-1559 (type 2) transfers for the chain's numeric <c>EthChainId</c>. Thread-safe.
/// </summary>
public abstract class LoadTestKeys : IDisposable
{
    /// <summary>Gas of a plain transfer (Transaction.IntrinsicGas of a transfer without data).</summary>
    public const ulong TransferGas = 21_000;

    public abstract LoadTestTxFormat Format { get; }

    /// <summary>The accounts' addresses, by index.</summary>
    public abstract IReadOnlyList<Address> Addresses { get; }

    public int Count => Addresses.Count;

    /// <summary>Account <paramref name="account"/>'s signed transfer of <paramref name="value"/> to <paramref name="to"/>
    /// with <paramref name="nonce"/>, charged <paramref name="price"/> per gas (at least the chain's base fee).</summary>
    public abstract Transaction Transfer(int account, Address to, UInt128 value, ulong nonce, ulong price);

    public virtual void Dispose() => GC.SuppressFinalize(this);

    /// <summary>The genesis's Ed25519 load-test keys (owned: disposed with this).</summary>
    public static LoadTestKeys Native(SigningKey[] keys, string chainId) => new NativeKeys(keys, chainId);

    /// <summary>The genesis's Ethereum load-test keys, signing for <paramref name="ethChainId"/> under <paramref name="baseFee"/>.</summary>
    public static LoadTestKeys Eth(EthKey[] keys, ulong ethChainId, ulong baseFee) => new EthKeys(keys, ethChainId, baseFee);

    private sealed class NativeKeys(SigningKey[] keys, string chainId) : LoadTestKeys
    {
        private readonly Address[] _addresses = keys.Select(k => k.Address).ToArray();
        public override LoadTestTxFormat Format => LoadTestTxFormat.Native;
        public override IReadOnlyList<Address> Addresses => _addresses;

        public override Transaction Transfer(int account, Address to, UInt128 value, ulong nonce, ulong price) =>
            Transaction.Create(keys[account], chainId, to, value, nonce, price);

        public override void Dispose()
        {
            foreach (var k in keys) k.Dispose();
            base.Dispose();
        }
    }

    /// <summary>A type-2 transfer that pays <c>price</c> per gas: priority fee price − base fee, fee cap price + base fee
    /// (a wallet's headroom over the base fee; the effective price min(cap, base + tip) is <c>price</c>).</summary>
    private sealed class EthKeys(EthKey[] keys, ulong ethChainId, ulong baseFee) : LoadTestKeys
    {
        private readonly Address[] _addresses = keys.Select(k => k.Address).ToArray();
        public override LoadTestTxFormat Format => LoadTestTxFormat.Eth;
        public override IReadOnlyList<Address> Addresses => _addresses;

        public override Transaction Transfer(int account, Address to, UInt128 value, ulong nonce, ulong price)
        {
            var tip = price > baseFee ? price - baseFee : 0;
            var cap = Math.Max(price, baseFee) + baseFee;
            return EthTransactionCodec.SignDynamicFee(keys[account], ethChainId, nonce, tip, cap, TransferGas, to, value);
        }
    }
}
