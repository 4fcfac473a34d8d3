using System.Buffers.Binary;
using System.Security.Cryptography;
using ActorRollup.Core.Execution;
using ActorRollup.Core.Primitives;

namespace ActorRollup.Core.State;

/// <summary>
/// The state commitment (PROTOCOL.md §3): a persistent, path-compressed binary Merkle trie over
/// key = SHA-256(address).
/// <list type="bullet">
/// <item>Leaf hash = SHA-256(0x00 ‖ key ‖ address ‖ u64be nonce ‖ u128be balance) for an account holding none of the
/// second token, SHA-256(0x02 ‖ key ‖ address ‖ u64be nonce ‖ u128be balance ‖ u128be tokens) for one that holds some
/// (so a chain without the token keeps the roots it had before the token existed).</item>
/// <item>Branch hash = SHA-256(0x01 ‖ left hash ‖ right hash); a branch splits at the first bit where its keys
/// differ (left: bit 0, right: bit 1), so the shape depends only on the set of keys — never on insertion order.</item>
/// <item>The root of the empty state is <see cref="EmptyRoot"/> = 32 zero bytes.</item>
/// </list>
/// Trees are immutable: <see cref="Set"/> returns a new tree sharing every untouched node, so an update copies
/// one path (O(log n) nodes for n accounts) and old versions stay valid for rollback. Hashes are computed
/// lazily and cached, so computing the root after a block hashes only the nodes the block created.
/// </summary>
public sealed class StateTree
{
    /// <summary>The documented root of a state with no accounts: 32 zero bytes.</summary>
    public static readonly Hash32 EmptyRoot = Hash32.Zero;

    public static readonly StateTree Empty = new(null, 0);

    private readonly Node? _root;

    private StateTree(Node? root, int count)
    {
        _root = root;
        Count = count;
    }

    /// <summary>Number of accounts.</summary>
    public int Count { get; }

    /// <summary>The state root.</summary>
    public Hash32 Root => _root?.Hash ?? EmptyRoot;

    /// <summary>The trie key of an address: SHA-256(address).</summary>
    public static Hash32 KeyOf(in Address address)
    {
        Span<byte> raw = stackalloc byte[Address.Size];
        address.WriteTo(raw);
        return Hash32.Sha256(raw);
    }

    public Account Get(in Address address) => TryGet(address, out var account) ? account : Account.Empty;

    public bool TryGet(in Address address, out Account account) => TryGet(KeyOf(address), address, out account);

    private bool TryGet(in Hash32 key, in Address address, out Account account)
    {
        var node = _root;
        while (node is Branch b) node = key.Bit(b.SplitBit) == 0 ? b.Left : b.Right;
        if (node is Leaf leaf && leaf.Key == key)
        {
            account = leaf.Account;
            return true;
        }
        account = Account.Empty;
        return false;
    }

    /// <summary>A new tree with <paramref name="address"/> set to <paramref name="account"/>.</summary>
    public StateTree Set(in Address address, in Account account)
    {
        var key = KeyOf(address);
        var root = Insert(_root, new Leaf(key, address, account), out bool added);
        return new StateTree(root, Count + (added ? 1 : 0));
    }

    /// <summary>A new tree with every given account set (later entries for the same address win).</summary>
    public StateTree SetMany(IEnumerable<KeyValuePair<Address, Account>> accounts)
    {
        var root = _root;
        int count = Count;
        foreach (var (address, account) in accounts)
        {
            root = Insert(root, new Leaf(KeyOf(address), address, account), out bool added);
            if (added) count++;
        }
        return new StateTree(root, count);
    }

    /// <summary>Every account in key order (deterministic).</summary>
    public IEnumerable<KeyValuePair<Address, Account>> Enumerate()
    {
        if (_root is null) yield break;
        var stack = new Stack<Node>();
        stack.Push(_root);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (node is Branch b)
            {
                stack.Push(b.Right);
                stack.Push(b.Left);
            }
            else
            {
                var leaf = (Leaf)node;
                yield return new(leaf.Address, leaf.Account);
            }
        }
    }

    /// <summary>Builds a tree from scratch (used to cross-check the incremental root).</summary>
    public static StateTree FromAccounts(IEnumerable<KeyValuePair<Address, Account>> accounts) => Empty.SetMany(accounts);

    private static Node Insert(Node? node, Leaf leaf, out bool added)
    {
        added = false;
        if (node is null)
        {
            added = true;
            return leaf;
        }
        if (node is Leaf existing)
        {
            if (existing.Key == leaf.Key) return existing.Account == leaf.Account ? existing : leaf;
            added = true;
            return Join(existing, leaf, existing.Key.FirstDifferingBit(leaf.Key));
        }
        var branch = (Branch)node;
        int diff = branch.SampleKey.FirstDifferingBit(leaf.Key);
        if (diff < branch.SplitBit)
        {
            // The new key leaves this subtree's shared prefix above the split: a new branch goes on top.
            added = true;
            return Join(branch, leaf, diff);
        }
        if (leaf.Key.Bit(branch.SplitBit) == 0)
        {
            var left = Insert(branch.Left, leaf, out added);
            return ReferenceEquals(left, branch.Left) ? branch : new Branch(branch.SplitBit, left, branch.Right);
        }
        var right = Insert(branch.Right, leaf, out added);
        return ReferenceEquals(right, branch.Right) ? branch : new Branch(branch.SplitBit, branch.Left, right);
    }

    private static Branch Join(Node existing, Leaf leaf, int splitBit) =>
        leaf.Key.Bit(splitBit) == 0 ? new Branch(splitBit, leaf, existing) : new Branch(splitBit, existing, leaf);

    private abstract class Node
    {
        private Hash32 _hash;
        private volatile bool _hashed;

        public abstract Hash32 SampleKey { get; }

        public Hash32 Hash
        {
            get
            {
                if (_hashed) return _hash;
                var h = ComputeHash();
                _hash = h;
                _hashed = true; // volatile write publishes the whole value; racing writers write the same bytes
                return h;
            }
        }

        protected abstract Hash32 ComputeHash();
    }

    private sealed class Leaf(Hash32 key, Address address, Account account) : Node
    {
        public readonly Hash32 Key = key;
        public readonly Address Address = address;
        public readonly Account Account = account;

        public override Hash32 SampleKey => Key;

        protected override Hash32 ComputeHash()
        {
            bool tokens = Account.Tokens != 0;
            Span<byte> buffer = stackalloc byte[1 + Hash32.Size + Primitives.Address.Size + 8 + 16 + 16];
            buffer[0] = tokens ? (byte)0x02 : (byte)0x00;
            Key.WriteTo(buffer[1..]);
            Address.WriteTo(buffer[33..]);
            BinaryPrimitives.WriteUInt64BigEndian(buffer[53..], Account.Nonce);
            BinaryPrimitives.WriteUInt128BigEndian(buffer[61..], Account.Balance);
            if (!tokens) return Hash32.Sha256(buffer[..77]);
            BinaryPrimitives.WriteUInt128BigEndian(buffer[77..], Account.Tokens);
            return Hash32.Sha256(buffer);
        }
    }

    private sealed class Branch(int splitBit, Node left, Node right) : Node
    {
        public readonly int SplitBit = splitBit;
        public readonly Node Left = left;
        public readonly Node Right = right;
        private readonly Hash32 _sampleKey = left.SampleKey;

        public override Hash32 SampleKey => _sampleKey;

        protected override Hash32 ComputeHash()
        {
            Span<byte> buffer = stackalloc byte[1 + 2 * Hash32.Size];
            buffer[0] = 0x01;
            Left.Hash.WriteTo(buffer[1..]);
            Right.Hash.WriteTo(buffer[33..]);
            Span<byte> digest = stackalloc byte[Hash32.Size];
            SHA256.HashData(buffer, digest);
            return Hash32.FromBytes(digest);
        }
    }
}
