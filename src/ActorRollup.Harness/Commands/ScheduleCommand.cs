using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json;
using ActorRollup.Core.Scheduling;

namespace ActorRollup.Harness.Commands;

/// <summary>
/// <c>rollup schedule</c>: prints the leaders of epochs 1..N for a fixed committee (PROTOCOL §6), one id per line
/// (or a JSON array with <c>--json</c>), and nothing else on stdout.
/// </summary>
public static class ScheduleCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var algorithm = new Option<ScheduleAlgorithm>("--algorithm")
        {
            Description = $"Leader-selection algorithm: {string.Join(" or ", ScheduleAlgorithms.Names)}.",
            HelpName = "name",
            DefaultValueFactory = _ => ScheduleAlgorithms.Default,
            CustomParser = ParseAlgorithm,
        };
        var members = new Option<IReadOnlyList<CommitteeMember>>("--members")
        {
            Description = "The committee: ID:POWER entries separated by commas, in any order.",
            HelpName = "id:power,...",
            Required = true,
            CustomParser = ParseMembers,
        };
        var epochs = new Option<int>("--epochs")
        {
            Description = "Number of epochs to schedule (1..N).",
            HelpName = "n",
            Required = true,
            CustomParser = ParseEpochs,
        };
        var seed = new Option<ulong>("--seed")
        {
            Description = "Seed of the stake lottery (unsigned 64-bit; ignored by weighted-round-robin).",
            HelpName = "u64",
            DefaultValueFactory = _ => 0UL,
            CustomParser = ParseSeed,
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print a JSON array of ids instead of one id per line.",
        };

        var command = new Command("schedule", "Print the leader of each epoch for a fixed committee.")
        {
            algorithm, members, epochs, seed, json,
        };
        command.SetAction(parseResult =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var leaders = LeaderSchedule.Enumerate(
                parseResult.GetValue(algorithm),
                parseResult.GetRequiredValue(members),
                parseResult.GetValue(epochs),
                parseResult.GetValue(seed));
            if (parseResult.GetValue(json)) WriteJson(stdout, leaders);
            else foreach (var leader in leaders) stdout.WriteLine(leader);
            stdout.Flush();
            return ExitCodes.Success;
        });
        return command;
    }

    private static void WriteJson(TextWriter stdout, IEnumerable<string> leaders)
    {
        stdout.Write('[');
        bool first = true;
        foreach (var leader in leaders)
        {
            if (!first) stdout.Write(',');
            first = false;
            stdout.Write(JsonSerializer.Serialize(leader));
        }

        stdout.WriteLine(']');
    }

    private static string? SingleToken(ArgumentResult result, string option)
    {
        if (result.Tokens.Count == 1) return result.Tokens[0].Value;
        result.AddError($"{option} expects exactly one value");
        return null;
    }

    private static ScheduleAlgorithm ParseAlgorithm(ArgumentResult result)
    {
        var text = SingleToken(result, "--algorithm");
        if (text is null) return default;
        if (ScheduleAlgorithms.TryParse(text, out var algorithm)) return algorithm;
        result.AddError($"unknown algorithm '{text}' (expected {string.Join(" or ", ScheduleAlgorithms.Names)})");
        return default;
    }

    private static IReadOnlyList<CommitteeMember> ParseMembers(ArgumentResult result)
    {
        var text = SingleToken(result, "--members");
        if (text is null) return [];
        if (MemberListParser.TryParse(text, out var list, out var error)) return list;
        result.AddError(error);
        return [];
    }

    private static int ParseEpochs(ArgumentResult result)
    {
        var text = SingleToken(result, "--epochs");
        if (text is null) return 0;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n))
        {
            result.AddError($"--epochs must be an integer from 1 to {int.MaxValue}, got '{text}'");
            return 0;
        }

        if (n < 1) result.AddError($"--epochs must be at least 1, got {n}");
        return n;
    }

    private static ulong ParseSeed(ArgumentResult result)
    {
        var text = SingleToken(result, "--seed");
        if (text is null) return 0;
        if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value)) return value;
        result.AddError($"--seed must be an unsigned 64-bit integer, got '{text}'");
        return 0;
    }
}
