using System.Security.Cryptography;
using ActorRollup.Core.Execution;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.State;
using FsCheck.Xunit;

namespace ActorRollup.Core.Tests.State;

public class StateTreeTests
{
    private static Address Addr(int i) => Address.FromBytes(SHA256.HashData(BitConverter.GetBytes(i))[..20]);

    private static KeyValuePair<Address, Account> Entry(int i, ulong nonce = 0) =>
        new(Addr(i), new Account(nonce, (UInt128)(i + 1) * 1_000));

    [Fact]
    public void Empty_root_is_the_documented_constant()
    {
        Assert.Equal(Hash32.Zero, StateTree.Empty.Root);
        Assert.Equal(new byte[32], StateTree.EmptyRoot.ToArray());
        Assert.Equal(0, StateTree.Empty.Count);
    }

    [Fact]
    public void Single_account_root_is_its_leaf_hash()
    {
        var address = Addr(1);
        var tree = StateTree.Empty.Set(address, new Account(3, 500));
        var key = SHA256.HashData(address.ToArray());
        byte[] leaf = [0x00, .. key, .. address.ToArray(), 0, 0, 0, 0, 0, 0, 0, 3, .. new byte[14], 0x01, 0xF4]; // nonce 3, balance 500 = 0x01F4
        Assert.Equal(Hash32.Sha256(leaf), tree.Root);
    }

    [Fact]
    public void Two_account_root_is_the_branch_over_the_leaves_in_key_order()
    {
        var a = StateTree.Empty.Set(Addr(1), new Account(0, 1));
        var b = StateTree.Empty.Set(Addr(2), new Account(0, 2));
        var both = a.Set(Addr(2), new Account(0, 2));
        var (left, right) = StateTree.KeyOf(Addr(1)).CompareTo(StateTree.KeyOf(Addr(2))) < 0 ? (a.Root, b.Root) : (b.Root, a.Root);
        Assert.Equal(Hash32.Sha256([0x01, .. left.ToArray(), .. right.ToArray()]), both.Root);
    }

    [Property(MaxTest = 100)]
    public bool Root_does_not_depend_on_insertion_order(int seed)
    {
        var entries = Enumerable.Range(0, 200).Select(i => Entry(i, (ulong)(i % 7))).ToArray();
        var shuffled = entries.ToArray();
        new Random(seed).Shuffle(shuffled);
        return StateTree.FromAccounts(entries).Root == StateTree.FromAccounts(shuffled).Root;
    }

    [Fact]
    public void Incremental_updates_give_the_same_root_as_a_rebuild()
    {
        var rng = new Random(7);
        var tree = StateTree.FromAccounts(Enumerable.Range(0, 2_000).Select(i => Entry(i)));
        var model = tree.Enumerate().ToDictionary(kv => kv.Key, kv => kv.Value);
        for (int block = 0; block < 20; block++)
        {
            var changes = Enumerable.Range(0, 50).Select(_ => Entry(rng.Next(0, 2_500), (ulong)rng.Next(100))).ToArray();
            tree = tree.SetMany(changes);
            foreach (var (k, v) in changes) model[k] = v;
            Assert.Equal(StateTree.FromAccounts(model).Root, tree.Root);
            Assert.Equal(model.Count, tree.Count);
        }
    }

    [Fact]
    public void Old_versions_are_unchanged_by_later_updates()
    {
        var v1 = StateTree.FromAccounts(Enumerable.Range(0, 100).Select(i => Entry(i)));
        var root1 = v1.Root;
        var v2 = v1.Set(Addr(5), new Account(9, 9)).Set(Addr(500), new Account(1, 1));
        Assert.Equal(root1, v1.Root);
        Assert.NotEqual(root1, v2.Root);
        Assert.Equal(new Account(0, 6_000), v1.Get(Addr(5)));
        Assert.Equal(new Account(9, 9), v2.Get(Addr(5)));
        Assert.False(v1.TryGet(Addr(500), out _));
        Assert.Equal(100, v1.Count);
        Assert.Equal(101, v2.Count);
    }

    [Fact]
    public void Every_field_of_every_account_is_committed()
    {
        var tree = StateTree.FromAccounts(Enumerable.Range(0, 50).Select(i => Entry(i)));
        var a = Addr(17);
        var acc = tree.Get(a);
        Assert.NotEqual(tree.Root, tree.Set(a, acc with { Nonce = acc.Nonce + 1 }).Root);
        Assert.NotEqual(tree.Root, tree.Set(a, acc with { Balance = acc.Balance + 1 }).Root);
        Assert.Equal(tree.Root, tree.Set(a, acc).Root);
        // Adding an account with zero balance and nonce still changes the root (existence is committed).
        Assert.NotEqual(tree.Root, tree.Set(Addr(999), Account.Empty).Root);
    }

    [Fact]
    public void Enumeration_is_in_key_order_and_complete()
    {
        var entries = Enumerable.Range(0, 300).Select(i => Entry(i)).ToArray();
        var tree = StateTree.FromAccounts(entries);
        var listed = tree.Enumerate().ToArray();
        Assert.Equal(300, listed.Length);
        var keys = listed.Select(kv => StateTree.KeyOf(kv.Key)).ToArray();
        Assert.Equal(keys.OrderBy(k => k).ToArray(), keys);
        Assert.Equal(entries.ToHashSet(), listed.ToHashSet());
    }
}
