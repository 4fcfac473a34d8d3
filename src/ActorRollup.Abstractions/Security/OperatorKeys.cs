using System.Security.Cryptography;

namespace ActorRollup.Abstractions.Security;

/// <summary>
/// Where the operator key comes from (docs/SECURITY.md): <c>Cluster:OperatorKey</c>, else the file
/// <c>Cluster:OperatorKeyFile</c>, else the per-user default file (<see cref="DefaultFile"/>) — created with a fresh random
/// key, readable by its owner only, the first time a silo or the harness needs it. Silos and harness commands of one user
/// on one machine so share a key with no setup; a cluster across machines configures the same key on every silo.
/// </summary>
public static class OperatorKeys
{
    /// <summary>Shortest operator key accepted (characters): shorter ones are guessable.</summary>
    public const int MinLength = 16;

    /// <summary><c>$ACTORROLLUP_HOME/operator.key</c>, or <c>~/.actorrollup/operator.key</c>.</summary>
    public static string DefaultFile
    {
        get
        {
            var home = Environment.GetEnvironmentVariable("ACTORROLLUP_HOME");
            if (string.IsNullOrEmpty(home))
                home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".actorrollup");
            return Path.Combine(home, "operator.key");
        }
    }

    /// <summary>The operator key: the configured one, else the key file's (created when <paramref name="create"/> and absent).
    /// Null when none is configured and the file does not exist (and may not be created).</summary>
    public static string? Resolve(string? configuredKey, string? keyFile, bool create)
    {
        if (!string.IsNullOrEmpty(configuredKey))
        {
            if (configuredKey.Length < MinLength) throw new InvalidOperationException($"Cluster:OperatorKey must be at least {MinLength} characters");
            return configuredKey;
        }
        var file = string.IsNullOrEmpty(keyFile) ? DefaultFile : keyFile;
        if (File.Exists(file)) return Read(file);
        if (!create) return null;
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        try
        {
            // CreateNew: two processes starting at once never overwrite each other's key; the loser reads the winner's.
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(file, options))
            using (var writer = new StreamWriter(stream))
                writer.Write(key + "\n");
            return key;
        }
        catch (IOException) when (File.Exists(file))
        {
            return WaitAndRead(file);
        }
    }

    /// <summary>The cluster's internal key: <c>Cluster:InternalKey</c> when set, else derived from the operator key
    /// (HMAC-SHA256 with a fixed label), so the silos of a cluster agree once they share the operator key.</summary>
    public static string InternalKey(string? configuredInternalKey, string operatorKey)
    {
        if (!string.IsNullOrEmpty(configuredInternalKey))
        {
            if (configuredInternalKey.Length < MinLength) throw new InvalidOperationException($"Cluster:InternalKey must be at least {MinLength} characters");
            return configuredInternalKey;
        }
        var mac = HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(operatorKey), "actorrollup/internal-key/v1"u8);
        return Convert.ToHexStringLower(mac);
    }

    private static string Read(string file)
    {
        var key = File.ReadAllText(file).Trim();
        if (key.Length < MinLength) throw new InvalidOperationException($"the operator key file {file} holds no key of at least {MinLength} characters");
        return key;
    }

    private static string WaitAndRead(string file)
    {
        // The creator writes right after creating: give it a moment before calling the file empty.
        var deadline = DateTime.UtcNow.AddSeconds(2);
        while (true)
        {
            var text = File.ReadAllText(file).Trim();
            if (text.Length >= MinLength || DateTime.UtcNow > deadline) return Read(file);
            Thread.Sleep(20);
        }
    }
}
