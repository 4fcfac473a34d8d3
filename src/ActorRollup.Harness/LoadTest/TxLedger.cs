using ActorRollup.Core.Primitives;

namespace ActorRollup.Harness.LoadTest;

/// <summary>
/// The exact accounting of a run's transactions — admitted, committed, lost, duplicated — kept while the run goes, with
/// memory bounded by what is in flight rather than by the run's length. A load-test transaction is (account, nonce):
/// the ledger holds only transactions offered and not yet both admitted and seen committed (<see cref="Open"/>), and per
/// account which nonces have been seen committed (a contiguous prefix plus the few above it). Commits are reported from
/// final blocks only (<see cref="Commit"/>: a finalized block is never rolled back, so nothing counted here is ever
/// replaced). A committed hash the ledger no longer holds is either a second commit of one of the run's transactions or
/// another sender's: <see cref="Commit"/> asks for its (account, nonce) (a rare path: a correct chain never takes it)
/// and counts it duplicated when that nonce was already committed. Thread-safe.
/// </summary>
public sealed class TxLedger
{
    /// <summary>A transaction the ledger still follows.</summary>
    private sealed class Entry(int account, ulong nonce)
    {
        public readonly int Account = account;
        public readonly ulong Nonce = nonce;
        public bool Admitted;
        public bool Committed;
        public bool CountedDuplicate;
    }

    /// <summary>Per account, the nonces seen committed: all below <see cref="Below"/>, and those in <see cref="Above"/>.</summary>
    private sealed class Nonces
    {
        public ulong Below;
        public readonly HashSet<ulong> Above = [];

        /// <summary>Marks <paramref name="nonce"/> committed; false when it already was.</summary>
        public bool Mark(ulong nonce)
        {
            if (nonce < Below || !(nonce == Below ? true : Above.Add(nonce))) return false;
            if (nonce == Below)
            {
                Below++;
                while (Above.Remove(Below)) Below++;
            }
            return true;
        }

        public bool Has(ulong nonce) => nonce < Below || Above.Contains(nonce);
    }

    private readonly object _gate = new();
    private readonly Dictionary<Hash32, Entry> _open = [];
    private readonly Dictionary<Address, int> _accountOf;
    private readonly Nonces[] _nonces;
    private readonly Dictionary<Hash32, int> _foreign = [];
    private readonly HashSet<Hash32> _duplicateHashes = [];
    private long _admitted, _committed, _duplicated;

    /// <param name="accounts">The run's accounts, by index.</param>
    public TxLedger(IReadOnlyList<Address> accounts)
    {
        _accountOf = accounts.Select((a, i) => (a, i)).ToDictionary(p => p.a, p => p.i);
        _nonces = accounts.Select(_ => new Nonces()).ToArray();
    }

    /// <summary>Transactions admitted (each once, however often it was offered).</summary>
    public long Admitted { get { lock (_gate) return _admitted; } }

    /// <summary>Admitted transactions seen in a final block.</summary>
    public long Committed { get { lock (_gate) return _committed; } }

    /// <summary>Admitted, not (yet) seen committed.</summary>
    public long Pending { get { lock (_gate) return _admitted - _committed; } }

    /// <summary>Transaction hashes seen committed more than once.</summary>
    public long Duplicated { get { lock (_gate) return _duplicated; } }

    /// <summary>Transactions the ledger holds (offered or admitted, not yet settled): the bound of its memory.</summary>
    public int Open { get { lock (_gate) return _open.Count; } }

    /// <summary>A transaction is being offered (again, after a retry: no change).</summary>
    public void Offer(Core.Transactions.Transaction tx)
    {
        lock (_gate)
        {
            if (_open.ContainsKey(tx.Hash) || !_accountOf.TryGetValue(tx.Sender, out var account)) return;
            if (_nonces[account].Has(tx.Nonce)) return; // already committed: an offer after the fact changes nothing
            _open[tx.Hash] = new Entry(account, tx.Nonce);
        }
    }

    /// <summary>The mempool took <paramref name="hash"/> (counted once).</summary>
    public void Admit(Hash32 hash)
    {
        lock (_gate)
        {
            if (!_open.TryGetValue(hash, out var e) || e.Admitted) return;
            e.Admitted = true;
            _admitted++;
            if (e.Committed)
            {
                _committed++;
                if (!e.CountedDuplicate) _open.Remove(hash);
            }
        }
    }

    /// <summary>The mempool refused <paramref name="hash"/> for good: it is not followed further (a later commit of it
    /// would be another sender's offer, resolved by <see cref="Commit"/>'s rare path).</summary>
    public void Refuse(Hash32 hash)
    {
        lock (_gate)
        {
            if (_open.TryGetValue(hash, out var e) && !e.Admitted && !e.Committed) _open.Remove(hash);
        }
    }

    /// <summary>
    /// <paramref name="hashes"/> were committed in a final block. <paramref name="resolve"/> gives the (sender, nonce) of
    /// a hash the ledger does not hold (index into the block), or null when it cannot be read; called only then.
    /// Returns how many hashes could not be resolved (counted neither committed nor duplicated).
    /// </summary>
    public async Task<int> CommitAsync(IReadOnlyList<Hash32> hashes, Func<int, Task<(Address Sender, ulong Nonce)?>> resolve)
    {
        List<int>? unknown = null;
        lock (_gate)
        {
            for (int i = 0; i < hashes.Count; i++)
                if (!CommitKnown(hashes[i])) (unknown ??= []).Add(i);
        }
        if (unknown is null) return 0;
        int unresolved = 0;
        foreach (var i in unknown)
        {
            var who = await resolve(i);
            lock (_gate)
            {
                if (who is null) { unresolved++; continue; }
                CommitResolved(hashes[i], who.Value.Sender, who.Value.Nonce);
            }
        }
        return unresolved;
    }

    /// <summary>Commits a hash the ledger holds (or one it already counted duplicated); false when it holds none.</summary>
    private bool CommitKnown(Hash32 hash)
    {
        if (!_open.TryGetValue(hash, out var e))
        {
            if (!_foreign.TryGetValue(hash, out var n)) return false;
            _foreign[hash] = n + 1;
            if (n == 1) _duplicated++;
            return true;
        }
        if (e.Committed)
        {
            if (!e.CountedDuplicate) { e.CountedDuplicate = true; _duplicated++; }
            return true;
        }
        e.Committed = true;
        _nonces[e.Account].Mark(e.Nonce);
        if (e.Admitted)
        {
            _committed++;
            _open.Remove(hash);
        }
        return true;
    }

    private void CommitResolved(Hash32 hash, Address sender, ulong nonce)
    {
        if (CommitKnown(hash)) return; // an earlier unknown of the same block resolved it meanwhile
        if (_accountOf.TryGetValue(sender, out var account))
        {
            if (!_nonces[account].Mark(nonce))
            {
                // One of the run's accounts, a nonce already committed: this hash was committed before (each nonce is
                // signed once), so it is a duplicate; counted once per hash.
                if (_duplicateHashes.Add(hash)) _duplicated++;
                return;
            }
            // A nonce of the run's accounts committed without being offered by this run (not admitted by it): followed
            // so a second commit of it counts.
            _open[hash] = new Entry(account, nonce) { Committed = true };
            return;
        }
        _foreign[hash] = 1; // another sender's transaction, first seen
    }
}
