using ActorRollup.Abstractions.Security;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;

namespace ActorRollup.Abstractions;

/// <summary>
/// Stateless admission front (key: chain id): decodes and checks signatures in parallel on every silo, then
/// hands the survivors to the chain's mempool. Clients submit here.
/// </summary>
[Alias("ar.IAdmissionGrain")]
public interface IAdmissionGrain : IGrainWithStringKey
{
    /// <summary>Submits encoded transactions; one result per input, in order (a null entry is <c>BadEncoding</c>, a null
    /// batch no input and so no result). Never throws for a bad entry: every refusal of one is an <c>AdmissionReason</c>.
    /// A batch of more than <see cref="PipelineLimits.MaxSubmitBatch"/> entries is refused whole
    /// (<c>CallRefusedException</c>, <c>argument-out-of-bounds</c>) before anything is decoded.</summary>
    [PublicCall, Alias("Submit")] Task<AdmissionResult[]> Submit(byte[][] encodedTransactions);
}

/// <summary>
/// The mempool of one chain (key: chain id): admitted transactions with their arrival sequence numbers,
/// per-sender nonce queues, account checks against committed state, capacity back-pressure (PROTOCOL.md §2, §7).
/// </summary>
[Alias("ar.IMempoolGrain")]
public interface IMempoolGrain : IGrainWithStringKey
{
    /// <summary>Takes the chain's configuration while the chain bootstraps. The configuration kept is the chain grain's
    /// genesis configuration (the argument must name the same chain); without a genesis on the chain, or once
    /// initialized, it changes nothing.</summary>
    [InternalCall, Alias("Initialize")] Task Initialize(ChainConfig config);

    /// <summary>Cheap stateful pre-check before signatures are verified (admission's DoS guard): for each transaction,
    /// the refusal the mempool would give it now for its sender (duplicate, nonce used or held, nonce too far ahead,
    /// balance), or <c>Ok</c>. Changes nothing; <see cref="AdmitVerified"/> checks everything again.
    /// At most <see cref="PipelineLimits.MaxSubmitBatch"/> transactions.</summary>
    [InternalCall, Alias("Screen"), AlwaysInterleave] Task<AdmissionReason[]> Screen(Transaction[] transactions);

    /// <summary>Stateful admission of transactions admission has verified. The mempool trusts no caller for that: it
    /// re-checks every cheap rule (chain id, sizes, gas, gas price, the nonce window, balance) and accepts a signature
    /// only from its silo's verification memo, verifying itself what the memo does not hold.
    /// At most <see cref="PipelineLimits.MaxSubmitBatch"/> transactions (else <c>argument-out-of-bounds</c>).</summary>
    [InternalCall, Alias("AdmitVerified")] Task<AdmissionResult[]> AdmitVerified(Transaction[] transactions);

    /// <summary>Up to <paramref name="max"/> executable transactions in policy order, leaving out <paramref name="excludedSender"/>
    /// (censorship fault). <paramref name="max"/> is clamped to the chain's <c>MaxTxPerBlock</c>; a negative one is refused.
    /// A pipelining leader passes its <paramref name="term"/>: what it takes is reserved for that term, and with
    /// <paramref name="extend"/> the batch continues after the reserved transactions (the next block while the previous
    /// ones are still being attested) instead of taking them again. A call without <paramref name="extend"/>, or for a
    /// newer term, releases every reservation first; committed transactions leave with theirs. Reservations only save
    /// work: the leader executes each block on the state its previous ones leave, which excludes a transaction taken twice.</summary>
    [InternalCall, Alias("TakeBatch")] Task<PendingBatch> TakeBatch(int max, string? excludedSender = null, ulong term = 0, bool extend = false);

    /// <summary>The <c>encrypted</c> policy's first step (PROTOCOL.md §12.5): what <see cref="TakeBatch"/> would take, with the
    /// same reservations, as hashes and arrival sequences only — the leader cannot read the contents before it commits
    /// to their order (<see cref="CommitOrder"/>). Refused (argument-out-of-bounds) on a chain with another policy.</summary>
    [InternalCall, Alias("TakeSealedBatch")] Task<SealedBatch> TakeSealedBatch(int max, string? excludedSender = null, ulong term = 0, bool extend = false);

    /// <summary>The <c>encrypted</c> policy's second step: records, durably and before anything is revealed, that the leader
    /// of <paramref name="term"/> commits to <paramref name="order"/> (transaction hashes, at most <c>Chain:MaxTxPerBlock</c>,
    /// none twice) for <paramref name="height"/>, then reveals the contents of the committed transactions still pending,
    /// in the committed order. A height keeps the first order committed for it in a term: a second call for the same
    /// height and term reveals that one again, whatever it asks (no second look at other contents). Refused
    /// (argument-out-of-bounds) on a chain with another policy, for a height of 0, or an order beyond its bounds.</summary>
    [InternalCall, Alias("CommitOrder")] Task<PendingBatch> CommitOrder(ulong height, ulong term, Hash32[] order);

    /// <summary>The order commitments recorded for <paramref name="height"/> (one per term that committed one; usually one),
    /// for the validators' check of an <c>encrypted</c> block and for anyone auditing it. Kept until the height is final;
    /// empty for a final or never-committed height.</summary>
    [PublicCall, Alias("GetOrderCommitment"), AlwaysInterleave] Task<OrderCommitment[]> GetOrderCommitment(ulong height);

    /// <summary>A block was committed (its record is already durable): its transactions leave the mempool and the
    /// touched accounts update. At most <see cref="PipelineLimits.MaxBlockTransactions"/> transactions and twice as
    /// many (plus one) touched accounts, addresses and accounts of equal length.</summary>
    [InternalCall, Alias("OnCommitted")] Task OnCommitted(CommitNotice notice);

    /// <summary>After a rollback: the deleted blocks' transactions come back with their original arrival sequences —
    /// only those the mempool admitted, that still pass every stateless rule and whose signature verifies (so a forged
    /// transaction can never loop through rollbacks). The senders' accounts are read from the chain, not taken from
    /// the arguments. At most <see cref="PipelineLimits.MaxRequeueEntries"/> entries, no more addresses than entries.</summary>
    [InternalCall, Alias("Requeue")] Task<int> Requeue(BlockEntry[] entries, Core.Execution.Account[] restoredAccounts, Address[] restoredAddresses);

    /// <summary>Admission records of the given transactions, for the ordering-policy check.
    /// At most <see cref="PipelineLimits.MaxBlockTransactions"/> hashes.</summary>
    [PublicCall, Alias("GetAdmissions"), AlwaysInterleave] Task<AdmissionRecord[]> GetAdmissions(Hash32[] hashes);

    [PublicCall, Alias("GetStats"), AlwaysInterleave] Task<MempoolStats> GetStats();

    /// <summary>The nonce <paramref name="sender"/>'s next transaction takes counting its pending ones: the account nonce
    /// the mempool holds, plus the run of pending nonces that follows it without a gap (Ethereum's "pending" nonce).
    /// O(pending transactions of the sender), at most <c>Chain:MaxNonceGap</c>.</summary>
    [PublicCall, Alias("GetPendingNonce"), AlwaysInterleave] Task<ulong> GetPendingNonce(Address sender);

    /// <summary>A pending (admitted, not yet committed) transaction by hash, with its arrival sequence; null otherwise, and
    /// under the <c>encrypted</c> policy null until its block's order is committed (its contents are sealed till then).</summary>
    [PublicCall, Alias("GetPendingTransaction"), AlwaysInterleave] Task<BlockEntry?> GetPendingTransaction(Hash32 hash);

    /// <summary>
    /// What anyone watching the public mempool sees (a searcher, Ethereum's <c>txpool_content</c>): up to
    /// <paramref name="max"/> (1..<see cref="PipelineLimits.MaxViewPending"/>, else refused with argument-out-of-bounds)
    /// pending transactions in the chain's policy order with their arrival sequences, and how many are pending in all.
    /// Under the <c>encrypted</c> policy the contents are sealed until the block's order is fixed: the view lists none.
    /// </summary>
    [PublicCall, Alias("ViewPending"), AlwaysInterleave] Task<PendingView> ViewPending(int max);
}

/// <summary>The documented bounds on the transaction pipeline's arguments (docs/PROTOCOL.md §2). A call beyond one is
/// refused with <c>CallRefusedException</c> (<c>argument-out-of-bounds</c>) and changes nothing, unless its method says
/// it clamps.</summary>
public static class PipelineLimits
{
    /// <summary>Entries in one <c>Submit</c>, <c>Screen</c> or <c>AdmitVerified</c> call.</summary>
    public const int MaxSubmitBatch = 10_000;

    /// <summary>Transactions one <c>IMempoolGrain.ViewPending</c> lists at most.</summary>
    public const int MaxViewPending = 10_000;

    /// <summary>Transactions in one block as the pipeline handles it (the ceiling of <c>Chain:MaxTxPerBlock</c>):
    /// <c>OnCommitted</c>, <c>GetAdmissions</c>.</summary>
    public const int MaxBlockTransactions = 100_000;

    /// <summary>Entries in one <c>Requeue</c>: no more than the mempool keeps admission records of committed transactions for.</summary>
    public const int MaxRequeueEntries = 1_000_000;
}
