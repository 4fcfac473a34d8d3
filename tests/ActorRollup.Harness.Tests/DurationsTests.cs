using ActorRollup.Harness.Options;

namespace ActorRollup.Harness.Tests;

/// <summary>The one parser of times on the command line (<see cref="Durations"/>): units, bare numbers, strictness, ranges.</summary>
public class DurationsTests
{
    [Theory]
    [InlineData("100ms", BareUnit.Seconds, 100)]
    [InlineData("2s", BareUnit.Milliseconds, 2_000)]
    [InlineData("1.5s", BareUnit.Milliseconds, 1_500)]
    [InlineData("2m", BareUnit.Seconds, 120_000)]
    [InlineData("0.25m", BareUnit.Seconds, 15_000)]
    [InlineData("100", BareUnit.Milliseconds, 100)]
    [InlineData("30", BareUnit.Seconds, 30_000)]
    [InlineData("2.5", BareUnit.Seconds, 2_500)]
    [InlineData("0", BareUnit.Seconds, 0)]
    [InlineData("0ms", BareUnit.Seconds, 0)]
    [InlineData("007s", BareUnit.Seconds, 7_000)]
    [InlineData("1440m", BareUnit.Seconds, 86_400_000)]
    [InlineData("86400000ms", BareUnit.Seconds, 86_400_000)]
    public void Accepts_units_and_bare_numbers_in_the_options_unit(string text, BareUnit bare, long milliseconds)
    {
        Assert.True(Durations.TryParse(text, bare, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("ms")]
    [InlineData("1e300s")]
    [InlineData("1e3")]
    [InlineData("NaN")]
    [InlineData("NaNs")]
    [InlineData("Infinity")]
    [InlineData("-Infinitys")]
    [InlineData("-1s")]
    [InlineData("+1s")]
    [InlineData(" 1s")]
    [InlineData("1 s")]
    [InlineData("1,000ms")]
    [InlineData(".5s")]
    [InlineData("5.s")]
    [InlineData("1.2.3s")]
    [InlineData("1h")]
    [InlineData("1MS")]
    [InlineData("0x10s")]
    [InlineData("0.5ms")]
    [InlineData("1.0001s")]
    [InlineData("1441m")]
    [InlineData("86400001ms")]
    [InlineData("99999999999999999999s")]
    [InlineData("999999999999999999999999s")]
    public void Refuses_anything_else(string text)
    {
        Assert.False(Durations.TryParse(text, BareUnit.Seconds, out _));
        Assert.False(Durations.TryParse(text, BareUnit.Milliseconds, out _));
    }

    [Theory]
    [InlineData("abc", 0, null, "--x must be a time like 250ms, 2s or 1m (a bare number is seconds), got 'abc'")]
    [InlineData("0.5ms", 0, null, "--x must be a whole number of milliseconds, got '0.5ms'")]
    [InlineData("2000m", 0, null, "--x must be at most 1440m, got '2000m'")]
    [InlineData("0", 1, null, "--x must be more than 0, got '0'")]
    [InlineData("4ms", 5, null, "--x must be at least 5ms, got '4ms'")]
    [InlineData("2h", 0, 60_000L, "--x must be a time like 250ms, 2s or 1m (a bare number is seconds), got '2h'")]
    [InlineData("61s", 0, 60_000L, "--x must be at most 1m, got '61s'")]
    [InlineData("60s", 0, 60_000L, null)]
    [InlineData("5ms", 5, null, null)]
    [InlineData("0s", 0, null, null)]
    public void Check_names_the_option_and_the_value(string text, long minMs, long? maxMs, string? error)
    {
        var max = maxMs is { } m ? TimeSpan.FromMilliseconds(m) : (TimeSpan?)null;
        Assert.Equal(error, Durations.Check("--x", text, BareUnit.Seconds, TimeSpan.FromMilliseconds(minMs), max, out _));
    }

    [Theory]
    [InlineData(0, "0ms")]
    [InlineData(250, "250ms")]
    [InlineData(1_500, "1500ms")]
    [InlineData(30_000, "30s")]
    [InlineData(90_000, "90s")]
    [InlineData(120_000, "2m")]
    public void Format_reads_back_to_the_same_time(long milliseconds, string text)
    {
        Assert.Equal(text, Durations.Format(TimeSpan.FromMilliseconds(milliseconds)));
        Assert.True(Durations.TryParse(text, BareUnit.Seconds, out var back));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), back);
    }
}
