using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Crypto;
using ActorRollup.Grains.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace ActorRollup.Grains.Sequencer;

/// <summary>
/// A sequencer (PROTOCOL.md §1): it holds its signer key and its stake pool, produces blocks while it leads
/// (<c>SequencerGrain.Leadership.cs</c>), attests blocks as a committee member (<c>SequencerGrain.Attestation.cs</c>)
/// and keeps its pool (<c>SequencerGrain.Staking.cs</c>). Reentrant: leading, attesting and staking are independent
/// parts of its state, and the chain and rotation call it while it waits on them; state writes are serialized.
/// </summary>
[Reentrant]
[MemberPlacement]
public sealed partial class SequencerGrain : Grain, ISequencerGrain
{
    private readonly IPersistentState<SequencerState> _state;
    private readonly TimeProvider _clock;
    private readonly VerificationMemo _memo;
    private readonly ExecutionMemo _execution;
    private readonly RollupMetrics _metrics;
    private readonly ILogger<SequencerGrain> _log;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private SigningKey? _signer;
    private SiloLifetime? _lifetime;
    private readonly Queue<long> _rtts = new();

    // Fault injection (not persisted: a restarted node is healthy).
    private SequencerFault _fault = new(SequencerFaultKind.None);
    private CancellationTokenSource _crashRelease = new();

    public SequencerGrain([PersistentState("sequencer", StorageNames.Rollup)] IPersistentState<SequencerState> state,
        TimeProvider clock, VerificationMemo memo, ExecutionMemo execution, RollupMetrics metrics, ILogger<SequencerGrain> log)
    {
        _state = state;
        _clock = clock;
        _memo = memo;
        _execution = execution;
        _metrics = metrics;
        _log = log;
    }

    private (string ChainId, string Id) Key => GrainKeys.SplitMember(this.GetPrimaryKeyString());
    private string ChainId => Key.ChainId;
    private string Id => Key.Id;
    private long NowMs => _clock.GetUtcNow().ToUnixTimeMilliseconds();
    private SigningKey Signer => _signer ??= SigningKey.FromSeed(_state.State.SignerSeed);
    private SiloLifetime Lifetime => _lifetime ??= ServiceProvider.GetRequiredService<SiloLifetime>();

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        StopLeading();
        _signer?.Dispose();
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    /// <summary>Writes the state; concurrent callers (the grain is reentrant) are serialized.</summary>
    private async Task PersistAsync()
    {
        await _writeLock.WaitAsync();
        try
        {
            await _state.WriteStateAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Task InjectFault(SequencerFault fault)
    {
        if (_state.State.Config is null)
            throw new Abstractions.Security.CallRefusedException(Abstractions.Security.CallRefusal.UnknownMember,
                $"chain '{ChainId}' has no member '{Id}'");
        if (!_state.State.Config.AllowFaultInjection)
            throw new Abstractions.Security.CallRefusedException(Abstractions.Security.CallRefusal.FaultInjectionDisabled,
                $"chain '{ChainId}' does not allow fault injection (Chain:AllowFaultInjection is off)");
        // One line per real change: an injection warns, a clear is news only when there was a fault to clear.
        if (fault.Kind != SequencerFaultKind.None)
            _log.LogWarning("sequencer {Chain}/{Id}: fault {Fault} injected", ChainId, Id, fault.Kind);
        else if (_fault.Kind != SequencerFaultKind.None)
            _log.LogInformation("sequencer {Chain}/{Id}: fault {Fault} cleared", ChainId, Id, _fault.Kind);
        if (_fault.Kind == SequencerFaultKind.Crash && fault.Kind != SequencerFaultKind.Crash)
        {
            _crashRelease.Cancel();
            _crashRelease = new CancellationTokenSource();
        }
        _fault = fault;
        return Task.CompletedTask;
    }

    private bool Crashed => _fault.Kind == SequencerFaultKind.Crash;

    /// <summary>A crashed node answers nothing: the caller's own deadline decides. The call is held until the caller
    /// cancels it (its deadline), the fault is cleared or this silo begins to stop; a caller that gives up never
    /// leaves a call behind to run into Orleans' response timeout, and a stopping silo does not wait for held calls.</summary>
    private async Task HangWhileCrashed(CancellationToken callerDeadline)
    {
        using var release = CancellationTokenSource.CreateLinkedTokenSource(_crashRelease.Token, callerDeadline, Lifetime.Stopping);
        try
        {
            await Task.Delay(Timeout.Infinite, release.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void ConsumeOnceFault(SequencerFaultKind kind)
    {
        if (_fault.Kind == kind && _fault.Once) _fault = new SequencerFault(SequencerFaultKind.None);
    }

    public Task<SequencerView> GetView()
    {
        var s = _state.State;
        var pool = s.Pool;
        return Task.FromResult(new SequencerView(Id, pool?.Status.ToString() ?? "Unregistered", pool?.Owner ?? default,
            pool is null ? "" : Convert.ToHexStringLower(pool.SignerPublicKey.AsSpan()), pool?.SelfStake ?? 0, pool?.TotalStake ?? 0,
            pool?.RewardPool ?? 0, pool?.CommissionAccrued ?? 0, pool?.JailedUntilEpoch ?? 0, s.BlocksProposed, s.Attestations,
            _term is not null, _term?.Term ?? 0, _fault.Kind.ToString(), s.Slashed, s.SlashEvidence.Count));
    }

    /// <summary>The leader's most recent attestation round trips, in microseconds (bounded ring).</summary>
    public Task<long[]> GetAttestationRtts() => Task.FromResult(_rtts.ToArray());
}
