namespace ActorRollup.Harness.LoadTest;

/// <summary>
/// The values `loadtest` takes for the options a user did not give. Without <c>--quick</c>: a small sweep of committee
/// sizes that answers "how does throughput change with the committee?" in about three minutes on 2 cores. With it: one
/// small committee and a short window, a smoke run well under a minute. An option given on the command line always
/// wins over the preset's value. The values are the options' own text, parsed as if typed.
/// </summary>
public sealed record LoadTestPreset(string Name, string Committee, string Warmup, string Duration, string Drain)
{
    /// <summary>The default sweep: committees 4, 16 and 64.</summary>
    public static readonly LoadTestPreset Sweep = new("default sweep", "4,16,64", "3s", "15s", "30s");

    /// <summary><c>--quick</c>: committee 4, a 5 s window.</summary>
    public static readonly LoadTestPreset Quick = new("quick", "4", "2s", "5s", "20s");

    public static LoadTestPreset For(bool quick) => quick ? Quick : Sweep;
}
