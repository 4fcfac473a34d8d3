using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Blocks;
using ActorRollup.Grains.Infrastructure;
using Microsoft.Extensions.Logging;

namespace ActorRollup.Grains.Settlement;

[GenerateSerializer, Alias("ar.SettlementState")]
public sealed class SettlementState
{
    [Id(0)] public ChainConfig? Config { get; set; }
    /// <summary>Batches not yet final, plus the most recent final ones (bounded).</summary>
    [Id(1)] public List<PostedBatch> Batches { get; set; } = [];
    [Id(2)] public ulong PostedHeight { get; set; }
    [Id(3)] public ulong FinalizedHeight { get; set; }
    [Id(4)] public ulong BatchesPosted { get; set; }
    [Id(5)] public ulong BatchesFinal { get; set; }
    [Id(6)] public ulong BatchesReverted { get; set; }
}

/// <summary>
/// The simulated L1 (PROTOCOL.md §8): accepts a batch every batchSize blocks when a quorum of that epoch's committee
/// signed it and it matches the chain's blocks; a batch is final once challengeWindow blocks have followed its last
/// block without a successful challenge. Final batches — and their blocks — can never be reverted.
/// </summary>
public sealed class SettlementGrain([PersistentState("settlement", StorageNames.Rollup)] IPersistentState<SettlementState> state,
    TimeProvider clock, ILogger<SettlementGrain> log) : Grain, ISettlementGrain
{
    private const int KeepFinal = 32;
    private SettlementState S => state.State;
    private string ChainId => this.GetPrimaryKeyString();

    public async Task Initialize(ChainConfig config)
    {
        if (S.Config is not null) return;
        S.Config = config;
        await state.WriteStateAsync();
    }

    public async Task<SettlementReason> PostBatch(BatchHeader batch, CommitteeSignature[] signatures, CommitteeSeat[] committee)
    {
        if (S.Config is null) return SettlementReason.NotInitialized;
        if (batch.LastHeight <= S.PostedHeight) return SettlementReason.AlreadyPosted;
        if (batch.FirstHeight != S.PostedHeight + 1 || batch.LastHeight - batch.FirstHeight + 1 != (ulong)S.Config.BatchSize)
            return SettlementReason.OutOfOrder;
        // The committee is rotation's, not the poster's say-so.
        var seats = await GrainFactory.Rotation(ChainId).GetCommittee(batch.Epoch);
        if (seats.Length == 0) return SettlementReason.BadCertificate;
        var quorum = new Committee(seats);
        var hash = batch.Hash();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long power = 0;
        foreach (var signature in signatures)
        {
            if (!quorum.TryGet(signature.MemberId, out var seat) || !seen.Add(signature.MemberId)) return SettlementReason.BadCertificate;
            if (!Signing.VerifyBatch(seat.PublicKey, hash, signature.Signature)) return SettlementReason.BadCertificate;
            power += seat.Power;
        }
        if (!quorum.IsQuorum(power)) return SettlementReason.BadCertificate;
        var hashes = await GrainFactory.Chain(ChainId).GetBlockHashes(batch.FirstHeight, batch.LastHeight);
        if (hashes.Length != S.Config.BatchSize || BatchHeader.HashOfBlocks(hashes) != batch.BlocksHash) return SettlementReason.Mismatch;

        S.Batches.Add(new PostedBatch(batch, signatures, clock.GetUtcNow().ToUnixTimeMilliseconds(), false, 0));
        S.PostedHeight = batch.LastHeight;
        S.BatchesPosted++;
        await state.WriteStateAsync();
        log.LogInformation("settlement {Chain}: batch {Number} posted (blocks {First}..{Last})", ChainId, batch.Number, batch.FirstHeight, batch.LastHeight);
        return SettlementReason.Ok;
    }

    public async Task<ulong> OnHead(ulong height, long nowMs)
    {
        if (S.Config is null) return 0;
        bool changed = false;
        for (int i = 0; i < S.Batches.Count; i++)
        {
            var b = S.Batches[i];
            if (b.Final || b.Header.LastHeight + S.Config.ChallengeWindow > height) continue;
            S.Batches[i] = b with { Final = true, FinalizedAtMs = nowMs };
            S.FinalizedHeight = Math.Max(S.FinalizedHeight, b.Header.LastHeight);
            S.BatchesFinal++;
            changed = true;
        }
        if (changed)
        {
            var final = S.Batches.Count(b => b.Final);
            if (final > KeepFinal) S.Batches.RemoveAll(b => b.Final && b.Header.LastHeight + (ulong)(KeepFinal * S.Config.BatchSize) < S.FinalizedHeight);
            await state.WriteStateAsync();
        }
        return S.FinalizedHeight;
    }

    public async Task Revert(ulong fromHeight)
    {
        if (fromHeight <= S.FinalizedHeight) throw new InvalidOperationException($"settlement {ChainId}: blocks up to {S.FinalizedHeight} are final");
        int removed = S.Batches.RemoveAll(b => !b.Final && b.Header.LastHeight >= fromHeight);
        S.BatchesReverted += (ulong)removed;
        S.PostedHeight = S.Batches.Count == 0 ? S.FinalizedHeight : S.Batches.Max(b => b.Header.LastHeight);
        await state.WriteStateAsync();
        if (removed > 0) log.LogWarning("settlement {Chain}: {Count} batch(es) withdrawn after a rollback from block {Height}", ChainId, removed, fromHeight);
    }

    public Task<SettlementView> GetView() =>
        Task.FromResult(new SettlementView(S.PostedHeight, S.FinalizedHeight, S.BatchesPosted, S.BatchesFinal, S.BatchesReverted,
            S.Batches.TakeLast(8).ToArray()));
}
