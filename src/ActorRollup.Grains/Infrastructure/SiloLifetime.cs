using Microsoft.Extensions.Hosting;

namespace ActorRollup.Grains.Infrastructure;

/// <summary>
/// Whether the silo hosting this activation has begun a graceful stop (its host's <c>ApplicationStopping</c>, which
/// fires before Orleans starts deactivating grains). Leaders stop producing and rotation's liveness watch stands down
/// then, so no block is appended while the grains it would notify are being deactivated, and no leader is failed over
/// for the silence of a stop; a crashed member lets go of the calls it holds so its deactivation does not wait for
/// them. Without a host (a bare service provider) the silo never counts as stopping.
/// </summary>
public sealed class SiloLifetime(IHostApplicationLifetime? host = null)
{
    public CancellationToken Stopping => host?.ApplicationStopping ?? CancellationToken.None;

    public bool IsStopping => Stopping.IsCancellationRequested;
}
