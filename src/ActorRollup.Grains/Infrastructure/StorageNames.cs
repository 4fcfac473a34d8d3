namespace ActorRollup.Grains.Infrastructure;

/// <summary>Names of the storage providers grains use. The silo registers them (memory by default, Redis later).</summary>
public static class StorageNames
{
    /// <summary>Every grain's persistent state and records.</summary>
    public const string Rollup = "rollup";
}
