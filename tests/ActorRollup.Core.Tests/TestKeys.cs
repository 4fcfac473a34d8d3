using ActorRollup.Core.Crypto;

namespace ActorRollup.Core.Tests;

/// <summary>Deterministic keys for tests, cached (key creation costs tens of microseconds).</summary>
internal static class TestKeys
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, ulong), SigningKey> Cache = new();

    public static SigningKey Get(ulong index, string seed = "core-tests") =>
        Cache.GetOrAdd((seed, index), k => SigningKey.Derive(k.Item1, k.Item2));
}
