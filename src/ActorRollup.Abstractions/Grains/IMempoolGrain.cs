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
    /// batch no input and so no result). Never throws for bad input: every refusal is an <c>AdmissionReason</c>.</summary>
    [PublicCall, Alias("Submit")] Task<AdmissionResult[]> Submit(byte[][] encodedTransactions);
}

/// <summary>
/// The mempool of one chain (key: chain id): admitted transactions with their arrival sequence numbers,
/// per-sender nonce queues, account checks against committed state, capacity back-pressure (PROTOCOL.md §2, §7).
/// </summary>
[Alias("ar.IMempoolGrain")]
public interface IMempoolGrain : IGrainWithStringKey
{
    [InternalCall, Alias("Initialize")] Task Initialize(ChainConfig config);

    /// <summary>Stateful admission of transactions whose encoding and signature were already checked.</summary>
    [InternalCall, Alias("AdmitVerified")] Task<AdmissionResult[]> AdmitVerified(Transaction[] transactions);

    /// <summary>Up to <paramref name="max"/> executable transactions in policy order, leaving out <paramref name="excludedSender"/> (censorship fault).</summary>
    [InternalCall, Alias("TakeBatch")] Task<PendingBatch> TakeBatch(int max, string? excludedSender = null);

    /// <summary>A block was committed (its record is already durable): its transactions leave the mempool and the
    /// touched accounts update.</summary>
    [InternalCall, Alias("OnCommitted")] Task OnCommitted(CommitNotice notice);

    /// <summary>After a rollback: the deleted blocks' transactions come back with their original arrival sequences.</summary>
    [InternalCall, Alias("Requeue")] Task<int> Requeue(BlockEntry[] entries, Core.Execution.Account[] restoredAccounts, Address[] restoredAddresses);

    /// <summary>Admission records of the given transactions, for the ordering-policy check.</summary>
    [PublicCall, Alias("GetAdmissions"), AlwaysInterleave] Task<AdmissionRecord[]> GetAdmissions(Hash32[] hashes);

    [PublicCall, Alias("GetStats"), AlwaysInterleave] Task<MempoolStats> GetStats();
}
