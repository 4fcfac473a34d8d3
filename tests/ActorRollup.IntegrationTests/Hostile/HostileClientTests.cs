using System.Diagnostics.Metrics;
using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Security;
using ActorRollup.Core.Staking;
using ActorRollup.Grains.Infrastructure;
using ActorRollup.Harness.Audit;

namespace ActorRollup.IntegrationTests.Hostile;

/// <summary>
/// A plain client — no operator key, made-up keys at best — calls every method of every grain interface of a live
/// chain with crafted arguments (<see cref="HostileSweep"/>). Then: every internal and operator call was refused with
/// its reason, every call answered within its deadline, the chain still produces blocks, no member's stake or standing
/// changed, supply is conserved, the audit passes, and the refusals were counted in the ActorRollup meter.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class HostileClientTests(ClusterFixture fixture)
{
    [Fact]
    public void Every_method_of_every_grain_interface_declares_who_may_call_it()
    {
        var undeclared = HostileSweep.GrainInterfaces.SelectMany(i => i.GetMethods())
            .Where(m => HostileSweep.ClassOf(m) is null)
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .ToList();
        Assert.True(undeclared.Count == 0, "no caller class: " + string.Join(", ", undeclared));
        Assert.True(HostileSweep.GrainInterfaces.Count >= 9, "the sweep finds the grain interfaces");
    }

    [Fact]
    public async Task A_client_without_credentials_changes_nothing_however_it_calls()
    {
        var chain = await TestChain.Start(fixture.Client, "hostile", c => c.LeaderTimeoutMs = 3_000);
        try
        {
            await chain.WaitForHeight(8);
            var before = await Standings(chain);
            using var counter = new RefusalCounter();

            var sweep = new HostileSweep(fixture.Client, chain.Id, chain.Genesis, seed: 10);
            await sweep.PrepareAsync();
            var calls = await sweep.RunAsync();

            // Every internal and operator method was refused at the boundary, with the reason for its class.
            var fenced = calls.Where(c => c.Class is CallerClass.Internal or CallerClass.Operator).ToList();
            Assert.NotEmpty(fenced);
            // A one-way call has no answer to carry a refusal: the boundary counts it (below) and the state checks show it
            // changed nothing.
            var through = fenced.Where(c => c.RefusalReason is null && !IsOneWay(c.Method)).ToList();
            Assert.True(through.Count == 0, "not refused:\n" + string.Join("\n", through));
            Assert.All(fenced.Where(c => c.Class == CallerClass.Internal && !IsOneWay(c.Method)), c => Assert.Equal(CallRefusal.InternalOnly, c.RefusalReason));
            Assert.All(fenced.Where(c => c.Class == CallerClass.Operator && c.Variant is "v0" or "v2"), c => Assert.Equal(CallRefusal.OperatorKeyRequired, c.RefusalReason));
            Assert.All(fenced.Where(c => c.Class == CallerClass.Operator && c.Variant is "v1" or "v3"), c => Assert.Equal(CallRefusal.BadOperatorKey, c.RefusalReason));

            // Public methods answer (or refuse) within the deadline: every query and argument is bounded.
            var hung = calls.Where(c => c.Outcome.StartsWith("no answer", StringComparison.Ordinal)).ToList();
            Assert.True(hung.Count == 0, "unbounded:\n" + string.Join("\n", hung));

            // The boundary counted what it refused.
            Assert.True(counter.Count >= fenced.Count, $"refusals counted {counter.Count}, refused {fenced.Count}");

            // The chain goes on, members' stakes and standings are as they were, supply is conserved, the audit passes.
            var head = (await chain.Chain.GetHead()).Height;
            await chain.WaitForHeight(head + 5, seconds: 60);
            var after = await Standings(chain);
            Assert.Equal(before, after);
            var supply = await chain.Chain.AuditSupply();
            Assert.True(supply.Conserved, $"supply: total {supply.Total} expected {supply.Expected}");
            var report = await new ChainAuditor(fixture.Client).AuditAsync(chain.Id);
            Assert.True(report.Passed, "audit: " + string.Join("; ", report.Violations.Select(v => v.ToString())));
        }
        finally
        {
            await ChainHalt.Stop(chain);
        }
    }

    private static bool IsOneWay(System.Reflection.MethodInfo method) => method.GetCustomAttributes(typeof(Orleans.Concurrency.OneWayAttribute), false).Length > 0;

    internal static Task<string> Standings(TestChain chain) => HostileSweep.Standings(chain.Client, chain.Id, chain.Genesis);
}

/// <summary>Counts <c>actorrollup.calls.refused</c> in this process (the TestingHost silos run here) while it lives.</summary>
internal sealed class RefusalCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _count;

    public RefusalCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RollupMetrics.MeterName && instrument.Name == "actorrollup.calls.refused") listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
        _listener.Start();
    }

    public long Count => Interlocked.Read(ref _count);

    public void Dispose() => _listener.Dispose();
}
