using System.CommandLine;
using System.Text.Json;
using ActorRollup.Audit;
using ActorRollup.Harness.Audit;
using ActorRollup.Harness.Options;
using ActorRollup.Harness.Output;
using ActorRollup.Harness.Session;

namespace ActorRollup.Harness.Commands;

/// <summary>
/// <c>rollup verify</c>: audits a chain by replaying it from genesis to its head through the grains' queries
/// (<see cref="ChainAuditor"/>) — state and transaction roots, certificates against each epoch's committee, leaders and
/// terms, the schedule, nonce order, duplicates, ordering, parent links, rollbacks and supply conservation — and
/// prints the verdict, each violation with its height and reason code, and any check the cluster no longer holds the
/// data for. Exit 0 when it passes, <see cref="ExitCodes.AuditFailed"/> (6) on any violation.
/// </summary>
public static class VerifyCommand
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Violations listed in the text output (all of them are in --json).</summary>
    public const int ListedViolations = 50;

    public static Command Create()
    {
        var gateway = ClusterOptions.Gateway();
        var chain = ClusterOptions.Chain();
        var json = new Option<bool>("--json") { Description = "Print the audit report as JSON instead of text." };

        var command = new Command("verify", "Replay a chain from genesis to its head and check every block, certificate, leader term and the supply.")
        {
            gateway, chain, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            await using var session = await ChainSession.OpenAsync(parse, gateway, chain, cancellationToken);
            if (session.Genesis is null) return Cli.Fail(stderr, session.MissingChain);

            var report = await new ChainAuditor(session.Grains).AuditAsync(session.ChainId, cancellationToken);
            if (parse.GetValue(json)) stdout.WriteLine(JsonSerializer.Serialize(report, Json));
            else Write(stdout, report, session.Connection.Embedded ? "embedded silo" : session.Connection.Where);
            stdout.Flush();
            if (report.Passed) return ExitCodes.Success;
            var first = report.Violations[0];
            stderr.WriteLine($"error: audit of {report.ChainId} failed: {report.ViolationCount} violation(s), the first at height {first.Height}: {first.Code}");
            return ExitCodes.AuditFailed;
        });
        return command;
    }

    /// <summary>The text verdict: a headline, what was checked, the supply, the gaps, and a table of violations.</summary>
    public static void Write(TextWriter stdout, AuditReport report, string where)
    {
        stdout.WriteLine(report.Passed
            ? $"chain {report.ChainId} ({where}): audit PASSED — heights 1..{report.Height} replayed from genesis in {report.ElapsedMs} ms"
            : $"chain {report.ChainId} ({where}): audit FAILED — {report.ViolationCount} violation(s) in heights 1..{report.Height} (replayed in {report.ElapsedMs} ms)");
        stdout.WriteLine(Terminal.Field("replayed", $"{report.Blocks} blocks   {report.Transactions} transactions   {report.Certificates} certificates   " +
                                                    $"{report.Epochs} epochs   {report.Terms} terms   {report.Rollbacks} rollbacks"));
        stdout.WriteLine(Terminal.Field("state root", report.FinalStateRoot));
        var s = report.Supply;
        stdout.WriteLine(Terminal.Field("supply", s is null ? "not compared (see gaps)"
            : $"{(report.SupplyConserved == true ? "conserved" : "NOT conserved")}: total {s.Total} tokens = genesis {s.Genesis} + minted {s.Minted} - burned {s.Burned}" +
              (report.SupplyConserved == true ? "" : $" (expected {s.Expected})")));
        stdout.WriteLine(Terminal.Field("checked", "parent links, heights, epochs, terms, leaders, schedule, committees, proposer signatures, certificates,"));
        stdout.WriteLine(Terminal.Field("", "tx roots, tx signatures, duplicates, ordering, nonces, state roots, head, rollbacks, supply, rewards"));
        stdout.WriteLine(Terminal.Field("gaps", report.Gaps.Length == 0 ? "none" : report.Gaps[0]));
        foreach (var gap in report.Gaps.Skip(1)) stdout.WriteLine(Terminal.Field("", gap));
        if (report.Passed) return;

        stdout.WriteLine();
        var table = Terminal.Table(stdout, "height", "reason", "detail").RightAlign(0);
        foreach (var v in report.Violations.Take(ListedViolations)) table.Row(v.Height.ToString(), v.Code, v.Detail);
        Terminal.Write(stdout, table);
        if (report.ViolationCount > ListedViolations)
            stdout.WriteLine($"... and {report.ViolationCount - ListedViolations} more (--json lists {Math.Min(report.ViolationCount, ChainReplay.ViolationLimit)})");
    }
}
