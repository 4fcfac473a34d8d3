using ActorRollup.Core.Scheduling;

namespace ActorRollup.Core.Tests.Scheduling;

public class CommitteeValidationTests
{
    public static TheoryData<CommitteeMember[], string?> Cases => new()
    {
        { [new("a", 1)], null },
        { [new("a", 1), new("b", CommitteeValidation.MaxTotalPower - 1)], null },
        { [], "the committee is empty" },
        { [new("", 1)], "a member id is empty" },
        { [new("a", 0)], "member 'a' has non-positive power 0" },
        { [new("a", -5)], "member 'a' has non-positive power -5" },
        { [new("a", 1), new("a", 2)], "duplicate member id 'a'" },
        { [new("a", 1), new("b", CommitteeValidation.MaxTotalPower)], "total power exceeds the maximum 1152921504606846975 (long.MaxValue/8)" },
        { [new("a", long.MaxValue)], "total power exceeds the maximum 1152921504606846975 (long.MaxValue/8)" },
        { [new("\uD800", 1)], "member id '\uD800' is not valid Unicode (unpaired surrogate)" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Validate(CommitteeMember[] members, string? expected)
    {
        Assert.Equal(expected, CommitteeValidation.Validate(members));
        if (expected is null) CommitteeValidation.ThrowIfInvalid(members, "m");
        else Assert.Equal(expected + " (Parameter 'm')", Assert.Throws<ArgumentException>(() => CommitteeValidation.ThrowIfInvalid(members, "m")).Message);
    }

    [Fact]
    public void MaxTotalPower_IsCometBftCap() => Assert.Equal(long.MaxValue / 8, CommitteeValidation.MaxTotalPower);
}
