using ActorRollup.Core.Scheduling;

namespace ActorRollup.Core.Tests.Scheduling;

internal static class WrrTestHelpers
{
    /// <summary>"id=priority" for every member, in the scheduler's (byte-wise id) order.</summary>
    public static string Priorities(WeightedRoundRobin wrr) =>
        string.Join(' ', wrr.ToSnapshot().Members.Select(m => $"{m.Id}={m.Priority}"));

    /// <summary>Parses "a:1,b:2" into members.</summary>
    public static CommitteeMember[] Members(string spec) =>
        spec.Split(',').Select(e =>
        {
            int colon = e.LastIndexOf(':');
            return new CommitteeMember(e[..colon], long.Parse(e[(colon + 1)..]));
        }).ToArray();

    public static WrrSnapshot Snapshot(string? leader, params (string Id, long Power, long Priority)[] members) =>
        new(members.Select(m => new WrrMemberState(m.Id, m.Power, m.Priority)).ToArray(), leader);

    public static void AssertSameState(WrrSnapshot expected, WrrSnapshot actual)
    {
        Assert.Equal(expected.CurrentLeader, actual.CurrentLeader);
        Assert.Equal(expected.Members, actual.Members); // element-wise record equality
    }
}
