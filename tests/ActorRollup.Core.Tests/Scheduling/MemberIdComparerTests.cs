using ActorRollup.Core.Scheduling;

namespace ActorRollup.Core.Tests.Scheduling;

public class MemberIdComparerTests
{
    [Theory]
    [InlineData("a", "b", -1)]
    [InlineData("b", "a", 1)]
    [InlineData("a", "a", 0)]
    [InlineData("", "a", -1)]
    [InlineData("a", "ab", -1)]
    [InlineData("B", "a", -1)]
    [InlineData("z", "\u00E9", -1)]                 // 7A < C3 A9
    [InlineData("\uFF21", "\U0001F600", -1)]        // EF BC A1 < F0 9F 98 80 (CompareOrdinal says the opposite)
    [InlineData("\U0001F600", "\uFFFF", 1)]
    [InlineData("x\U0001F600", "x\uE000", 1)]       // F0… > EE 80 80
    [InlineData("\U0001F600", "\U0001F601", -1)]
    public void Table(string x, string y, int expectedSign)
    {
        Assert.Equal(expectedSign, Math.Sign(MemberIdComparer.Instance.Compare(x, y)));
        Assert.Equal(-expectedSign, Math.Sign(MemberIdComparer.Instance.Compare(y, x)));
    }

    [Fact]
    public void DiffersFromCompareOrdinal_ForSurrogates()
    {
        Assert.True(string.CompareOrdinal("\uFF21", "\U0001F600") > 0);
        Assert.True(MemberIdComparer.Instance.Compare("\uFF21", "\U0001F600") < 0);
    }

    [Fact]
    public void Nulls_SortFirst()
    {
        Assert.Equal(0, MemberIdComparer.Instance.Compare(null, null));
        Assert.True(MemberIdComparer.Instance.Compare(null, "") < 0);
        Assert.True(MemberIdComparer.Instance.Compare("", null) > 0);
    }

    [Fact]
    public void AgreesWithUtf8ByteOrder_OnRandomStrings()
    {
        // Characters from ranges where UTF-16 and UTF-8 orders disagree, plus ASCII.
        string[] alphabet = ["a", "b", "A", "\u00E9", "\u07FF", "\u0800", "\uE000", "\uFF21", "\uFFFF", "\U00010000", "\U0001F600", "\U0010FFFF"];
        var random = new Random(1234);
        string Next() => string.Concat(Enumerable.Range(0, random.Next(0, 5)).Select(_ => alphabet[random.Next(alphabet.Length)]));
        for (int i = 0; i < 5000; i++)
        {
            string x = Next(), y = Next();
            int expected = Math.Sign(System.Text.Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(System.Text.Encoding.UTF8.GetBytes(y)));
            Assert.Equal(expected, Math.Sign(MemberIdComparer.Instance.Compare(x, y)));
        }
    }
}
