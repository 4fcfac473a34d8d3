namespace ActorRollup.Core.Staking;

/// <summary>
/// One sequencer's bonded stake over time (PROTOCOL §5 "stake changes take effect for the committee two epochs
/// after the epoch they were made in", §6 "the stake snapshot that applies to e"). A checkpoint records the
/// stake at the end of the epoch a change was made in; <see cref="EffectiveAt"/>(e) is the stake at the end of
/// e − ActivationDelayEpochs, so a change made in epoch e applies from e + delay. Genesis exception: epochs before
/// the delay have no earlier snapshot, so the stake at the end of epoch 0 (genesis) applies to them.
/// Epochs never go backwards.
/// </summary>
public sealed class StakeHistory
{
    private readonly List<StakeCheckpoint> _checkpoints = [];

    public StakeHistory(ulong activationDelayEpochs) => ActivationDelayEpochs = activationDelayEpochs;

    public ulong ActivationDelayEpochs { get; }

    /// <summary>Checkpoints, ascending by epoch, at most one per epoch.</summary>
    public IReadOnlyList<StakeCheckpoint> Checkpoints => _checkpoints;

    /// <summary><see cref="EffectiveAt"/> is answerable from this epoch on (raised by <see cref="Prune"/>).</summary>
    public ulong PrunedBefore { get; private set; }

    /// <summary>The stake after a change made in <paramref name="epoch"/>; a later change in the same epoch replaces it.</summary>
    public void Record(ulong epoch, UInt128 totalStake)
    {
        if (_checkpoints.Count > 0)
        {
            var last = _checkpoints[^1];
            if (epoch < last.Epoch) throw new ArgumentException($"epoch {epoch} is before the last checkpoint {last.Epoch}", nameof(epoch));
            if (epoch == last.Epoch) { _checkpoints[^1] = new StakeCheckpoint(epoch, totalStake); return; }
        }
        _checkpoints.Add(new StakeCheckpoint(epoch, totalStake));
    }

    /// <summary>The latest recorded stake, whatever its epoch.</summary>
    public UInt128 Latest => _checkpoints.Count == 0 ? UInt128.Zero : _checkpoints[^1].TotalStake;

    /// <summary>The stake at the end of <paramref name="epoch"/> (0 before the first checkpoint).</summary>
    public UInt128 StakeAtEndOf(ulong epoch)
    {
        int lo = 0, hi = _checkpoints.Count - 1, found = -1;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            if (_checkpoints[mid].Epoch <= epoch) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return found < 0 ? UInt128.Zero : _checkpoints[found].TotalStake;
    }

    /// <summary>
    /// The stake that counts for the committee of <paramref name="epoch"/>: as of the end of epoch − delay, or of
    /// genesis (epoch 0) for the first delay epochs.
    /// </summary>
    public UInt128 EffectiveAt(ulong epoch)
    {
        if (epoch < PrunedBefore) throw new ArgumentOutOfRangeException(nameof(epoch), $"history was pruned before epoch {PrunedBefore}");
        return StakeAtEndOf(epoch < ActivationDelayEpochs ? 0 : epoch - ActivationDelayEpochs);
    }

    /// <summary>
    /// Drops checkpoints no query for an epoch ≥ <paramref name="beforeEpoch"/> needs, keeping the one in force at
    /// the horizon, so the history stays bounded by the epochs still of interest.
    /// </summary>
    public void Prune(ulong beforeEpoch)
    {
        if (beforeEpoch <= PrunedBefore) return;
        PrunedBefore = beforeEpoch;
        if (beforeEpoch < ActivationDelayEpochs) return;
        var horizon = beforeEpoch - ActivationDelayEpochs;
        int keepFrom = -1;
        for (int i = 0; i < _checkpoints.Count && _checkpoints[i].Epoch <= horizon; i++) keepFrom = i;
        if (keepFrom > 0) _checkpoints.RemoveRange(0, keepFrom);
    }
}
