namespace ActorRollup.Harness.LoadTest;

/// <summary>
/// The values `loadtest` takes for the options a user did not give. Without <c>--quick</c>: a small sweep of committee
/// sizes that answers "how does throughput change with the committee?" in about three minutes on 2 cores. With it: one
/// small committee and a short window, a smoke run well under a minute. An option given on the command line always
/// wins over the preset's value.
/// </summary>
public sealed record LoadTestPreset(string Name, string Committee, TimeSpan Warmup, TimeSpan Duration, TimeSpan Drain)
{
    /// <summary>The default sweep: committees 4, 16 and 64.</summary>
    public static readonly LoadTestPreset Sweep = new("default sweep", "4,16,64", TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30));

    /// <summary><c>--quick</c>: committee 4, a 5 s window.</summary>
    public static readonly LoadTestPreset Quick = new("quick", "4", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20));

    public static LoadTestPreset For(bool quick) => quick ? Quick : Sweep;
}
