using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Staking;

namespace ActorRollup.Grains.Chain;

// The evidence the money paths check (docs/SECURITY.md, defence in depth): the slashes the chain decided and the
// reward basis of each committed block. Both are queries: they interleave, because the offender, settlement and the
// stakers ask while the chain is waiting on them.
public sealed partial class ChainGrain
{
    /// <summary>Decided slashes kept (far more than the rollbacks and equivocations a chain ever sees at once).</summary>
    private const int SlashOrderLimit = 256;

    public Task<SlashOrder?> GetSlashOrder(string evidenceId)
    {
        if (!SlashEvidence.IsWellFormed(evidenceId)) return Task.FromResult<SlashOrder?>(null);
        return Task.FromResult(_state.State.SlashOrders.FindLast(o => o.EvidenceId == evidenceId));
    }

    public async Task<RewardBasis?> GetRewardBasis(ulong height)
    {
        var record = await ReadRecord(height);
        return record is null ? null : new RewardBasis(height, record.Block.Header.ProposerId, record.Fees, record.CommittedAtMs);
    }

    /// <summary>Records a decided slash (in memory; the caller's next write persists it) before the offender is asked.</summary>
    private void RecordSlashOrder(SlashOrder order)
    {
        var orders = _state.State.SlashOrders;
        orders.RemoveAll(o => o.EvidenceId == order.EvidenceId);
        orders.Add(order);
        if (orders.Count > SlashOrderLimit) orders.RemoveRange(0, orders.Count - SlashOrderLimit);
    }

    private void DropSlashOrder(string evidenceId) => _state.State.SlashOrders.RemoveAll(o => o.EvidenceId == evidenceId);

    /// <summary>The offender's answer completes the order: who was paid what (the reporters' stakers check it).</summary>
    private SlashOrder CompleteSlashOrder(SlashOrder order, SlashResult slash)
    {
        var rewarded = slash.IsOk ? order.Reporters.Take(slash.ReportersPaid).ToArray() : Array.Empty<Address>();
        var done = order with { Decided = true, PerReporter = slash.IsOk ? slash.PerReporter : UInt128.Zero, Rewarded = rewarded };
        RecordSlashOrder(done);
        return done;
    }
}
