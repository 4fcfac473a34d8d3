namespace ActorRollup.Harness.LoadTest;

/// <summary>The --out folder, made (and checked writable) before any work, so a bad path costs no run.</summary>
public static class OutputFolder
{
    /// <summary>Creates <paramref name="path"/> and writes a probe file in it; the one-line error naming --out, or null.</summary>
    public static string? Prepare(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) return "--out must name a folder";
        try
        {
            Directory.CreateDirectory(path);
            var probe = Path.Combine(path, ".write-check");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return $"--out '{path}' cannot be written: {Cli.OneLine(e.Message)}";
        }
    }
}
