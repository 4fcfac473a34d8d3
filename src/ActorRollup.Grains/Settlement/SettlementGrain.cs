using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Abstractions.Security;
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
/// It trusts no argument where the protocol has a better source (docs/SECURITY.md): it is set up only for a chain whose
/// genesis exists, advances only to the chain's committed head on its own clock, takes each batch's committee from
/// rotation, and withdraws batches only for a rollback the chain decided — never below finality.
/// </summary>
[ChainPlacement]
public sealed class SettlementGrain([PersistentState("settlement", StorageNames.Rollup)] IPersistentState<SettlementState> state,
    TimeProvider clock, ILogger<SettlementGrain> log) : Grain, ISettlementGrain
{
    private const int KeepFinal = 32;
    private SettlementState S => state.State;
    private string ChainId => this.GetPrimaryKeyString();

    public async Task Initialize(ChainConfig config)
    {
        if (S.Config is not null) return;
        // The chain's genesis is the authority: a chain id that was never bootstrapped is not set up (and not bricked).
        var genesis = await GrainFactory.Chain(ChainId).GetGenesis();
        if (genesis is null || genesis.Config.ChainId != ChainId)
            throw new CallRefusedException(CallRefusal.Unproven, $"settlement {ChainId}: the chain has no genesis to settle");
        S.Config = genesis.Config;
        await state.WriteStateAsync();
    }

    public async Task<SettlementReason> PostBatch(BatchHeader batch, CommitteeSignature[] signatures, CommitteeSeat[] committee)
    {
        if (S.Config is null) return SettlementReason.NotInitialized;
        if (batch is null || signatures is null || batch.ChainId != ChainId) return SettlementReason.Mismatch;
        if (batch.LastHeight <= S.PostedHeight) return SettlementReason.AlreadyPosted;
        if (batch.FirstHeight != S.PostedHeight + 1 || batch.LastHeight - batch.FirstHeight + 1 != (ulong)S.Config.BatchSize)
            return SettlementReason.OutOfOrder;
        // Bounded before anything is looked up: a quorum needs at most one signature per seat.
        if (signatures.Length == 0 || signatures.Length > S.Config.CommitteeSize) return SettlementReason.BadCertificate;
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
        // Finality is measured against the chain's committed head, read from the chain (it interleaves the read while it
        // waits on this call), never a height the caller names; the time is settlement's own.
        var head = (await GrainFactory.Chain(ChainId).GetHead()).Height;
        height = Math.Min(height, head);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        bool changed = false;
        for (int i = 0; i < S.Batches.Count; i++)
        {
            var b = S.Batches[i];
            if (b.Final || SaturatingAdd(b.Header.LastHeight, (ulong)S.Config.ChallengeWindow) > height) continue;
            S.Batches[i] = b with { Final = true, FinalizedAtMs = now };
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

    private static ulong SaturatingAdd(ulong a, ulong b) => a > ulong.MaxValue - b ? ulong.MaxValue : a + b;

    public async Task<SettlementReason> Revert(string challengeId, ulong fromHeight)
    {
        if (S.Config is null) return SettlementReason.NotInitialized;
        // Finality is never undone: refused cleanly, and the chain (which asks first) does not roll back either.
        if (fromHeight <= S.FinalizedHeight)
        {
            log.LogWarning("settlement {Chain}: refused to withdraw batches from block {Height}: blocks up to {Final} are final", ChainId, fromHeight, S.FinalizedHeight);
            return SettlementReason.Finalized;
        }
        // Only a rollback the chain decided withdraws batches (a withdrawal delays every reward behind it).
        var order = challengeId is { Length: > 0 and <= Core.Staking.SlashEvidence.MaxIdLength }
            ? await GrainFactory.Chain(ChainId).GetSlashOrder(challengeId) : null;
        if (order is null || order.Kind != Core.Staking.SlashKind.InvalidStateRoot || order.FromHeight != fromHeight)
            return SettlementReason.Unproven;
        int removed = S.Batches.RemoveAll(b => !b.Final && b.Header.LastHeight >= fromHeight);
        S.BatchesReverted += (ulong)removed;
        S.PostedHeight = S.Batches.Count == 0 ? S.FinalizedHeight : S.Batches.Max(b => b.Header.LastHeight);
        await state.WriteStateAsync();
        if (removed > 0) log.LogWarning("settlement {Chain}: {Count} batch(es) withdrawn after a rollback from block {Height}", ChainId, removed, fromHeight);
        return SettlementReason.Ok;
    }

    public Task<SettlementView> GetView() =>
        Task.FromResult(new SettlementView(S.PostedHeight, S.FinalizedHeight, S.BatchesPosted, S.BatchesFinal, S.BatchesReverted,
            S.Batches.TakeLast(8).ToArray()));
}
