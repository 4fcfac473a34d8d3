using ActorRollup.Core.Scheduling;

namespace ActorRollup.Core.Tests.Scheduling;

/// <summary>The leader of a make-up term (an ended epoch's heights produced again after a rollback; PROTOCOL.md §6).</summary>
public class MakeUpLeaderTests
{
    private static readonly CommitteeMember[] Committee = [new("a", 10), new("b", 30), new("c", 30), new("d", 20)];

    [Theory]
    [InlineData("d", "", "d")]              // the epoch's last leader, still eligible, leads again
    [InlineData("d", "d", "b")]             // the offender excluded: highest power, tie by id
    [InlineData("d", "d,b", "c")]
    [InlineData("x", "", "b")]              // a last leader not on the epoch's committee is not taken
    [InlineData(null, "b,c", "d")]
    [InlineData(null, "a,b,c,d", null)]     // nobody eligible: no leader (the caller halts visibly)
    public void Takes_the_last_leader_if_eligible_else_the_first_by_power_then_id(string? last, string excluded, string? expected)
    {
        var set = excluded.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        Assert.Equal(expected, LeaderRotation.MakeUpLeader(last, Committee, set));
    }

    [Fact]
    public void Ties_compare_ids_byte_wise_in_utf8()
    {
        // U+FF21 (UTF-8 EF BC A1) sorts after U+1D400 (UTF-16 surrogates D835 DC00) in UTF-16 ordinal order, but
        // before it (F0 9D 90 80) byte-wise in UTF-8, the order PROTOCOL.md says "by id" means.
        CommitteeMember[] members = [new("\U0001D400", 5), new("\uFF21", 5)];
        Assert.Equal("\uFF21", LeaderRotation.MakeUpLeader(null, members, new HashSet<string>()));
    }
}
