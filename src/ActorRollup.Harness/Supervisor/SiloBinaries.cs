using System.Text.Json;

namespace ActorRollup.Harness.Supervisor;

/// <summary>
/// The silo build a local cluster runs: ActorRollup.Silo.dll and what its deps.json says it loads, copied from beside
/// the harness (the harness references the silo project, so every harness build carries the matching silo build) into
/// the state folder. The running silos then never use the build output itself: rebuilding the harness (which
/// <c>dotnet run</c> does before every command, <c>cluster down</c> included) cannot overwrite assemblies that running
/// silos have mapped, and every silo of one <c>cluster up</c> runs the same build.
/// </summary>
public static class SiloBinaries
{
    public const string EntryAssembly = "ActorRollup.Silo.dll";

    /// <summary>The folder the build is copied from: the harness's own.</summary>
    public static string SourceFolder => AppContext.BaseDirectory;

    /// <summary>Copies the silo into <paramref name="target"/> (emptied first); returns the path of its entry assembly.</summary>
    public static string Snapshot(string source, string target)
    {
        var deps = Path.Combine(source, "ActorRollup.Silo.deps.json");
        if (!File.Exists(Path.Combine(source, EntryAssembly)) || !File.Exists(deps))
            throw new LocalClusterException($"the silo is not built beside the harness ({Path.Combine(source, EntryAssembly)} or its deps.json is missing): " +
                                            "run `dotnet build src/ActorRollup.Harness`", ExitCodes.Usage);
        if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
        Directory.CreateDirectory(target);
        foreach (var file in Files(source, deps).Distinct())
        {
            var from = Path.Combine(source, file);
            if (!File.Exists(from)) continue; // an asset for another platform that the build did not copy
            var to = Path.Combine(target, file);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(from, to);
        }
        return Path.Combine(target, EntryAssembly);
    }

    /// <summary>The files (relative to the build folder) the silo needs: its own, and every runtime, resource and native
    /// asset deps.json lists, where the SDK puts them in a build folder.</summary>
    private static IEnumerable<string> Files(string source, string depsFile)
    {
        yield return EntryAssembly;
        yield return "ActorRollup.Silo.deps.json";
        yield return "ActorRollup.Silo.runtimeconfig.json";
        yield return "ActorRollup.Silo.pdb";
        yield return "appsettings.json";
        using var deps = JsonDocument.Parse(File.ReadAllText(depsFile));
        foreach (var target in deps.RootElement.GetProperty("targets").EnumerateObject())
        {
            foreach (var library in target.Value.EnumerateObject())
            {
                if (library.Value.TryGetProperty("runtime", out var runtime))
                {
                    foreach (var asset in runtime.EnumerateObject())
                    {
                        var name = Path.GetFileName(asset.Name);
                        yield return name;
                        var pdb = Path.ChangeExtension(name, ".pdb");
                        if (File.Exists(Path.Combine(source, pdb))) yield return pdb;
                    }
                }
                if (library.Value.TryGetProperty("native", out var native))
                    foreach (var asset in native.EnumerateObject())
                        yield return Path.GetFileName(asset.Name);
                if (library.Value.TryGetProperty("resources", out var resources))
                    foreach (var asset in resources.EnumerateObject())
                        if (asset.Value.TryGetProperty("locale", out var locale))
                            yield return Path.Combine(locale.GetString()!, Path.GetFileName(asset.Name));
                if (library.Value.TryGetProperty("runtimeTargets", out var runtimeTargets))
                    foreach (var asset in runtimeTargets.EnumerateObject())
                        yield return asset.Name.Replace('/', Path.DirectorySeparatorChar);
            }
        }
    }
}
