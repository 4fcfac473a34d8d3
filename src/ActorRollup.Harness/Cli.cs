using System.CommandLine;
using ActorRollup.Harness.Commands;

namespace ActorRollup.Harness;

/// <summary>
/// The <c>rollup</c> command line, runnable in-process. Conventions every command follows: results go to
/// stdout and nothing else does; any bad input — a parse error or a rejected value — exits with
/// <see cref="ExitCodes.Usage"/> and exactly one line <c>error: …</c> on stderr, with nothing on stdout.
/// </summary>
public static class Cli
{
    /// <summary>The root command with every subcommand. Add new commands here (each in Commands/, with a static <c>Create()</c>).</summary>
    public static RootCommand CreateRootCommand()
    {
        var root = new RootCommand("ActorRollup harness: tools around the rollup sequencer model.");
        root.Subcommands.Add(ScheduleCommand.Create());
        root.Subcommands.Add(LoadTestCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(TransferCommand.Create());
        root.Subcommands.Add(TxCommand.Create());
        root.Subcommands.Add(BlocksCommand.Create());
        root.Subcommands.Add(RegisterSequencerCommand.Create());
        root.Subcommands.Add(StakeCommand.Create());
        root.Subcommands.Add(DelegateCommand.Create());
        root.Subcommands.Add(UnlockCommand.Create());
        root.Subcommands.Add(ClaimCommand.Create());
        root.Subcommands.Add(ClaimRewardsCommand.Create());
        root.Subcommands.Add(FaultCommand.Create());
        root.Subcommands.Add(VerifyCommand.Create());
        root.Subcommands.Add(ClusterCommand.Create());
        foreach (var option in Connection.HarnessTls.CreateOptions()) root.Options.Add(option);
        root.Options.Add(Connection.HarnessRpc.CreateOption());
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>, writing to the given writers; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => RunAsync(args, stdout, stderr).GetAwaiter().GetResult();

    /// <summary>Parses and runs <paramref name="args"/> (commands may be asynchronous); returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        var parseResult = CreateRootCommand().Parse(args);
        if (parseResult.Errors.Count > 0)
            return Fail(stderr, FirstError(parseResult));

        var (tls, tlsError) = Connection.HarnessTls.Read(parseResult);
        if (tlsError is not null) return Fail(stderr, tlsError);
        Connection.HarnessTls.Apply(tls);
        var (rpcPort, rpcError) = Connection.HarnessRpc.Read(parseResult);
        if (rpcError is not null) return Fail(stderr, rpcError);
        Connection.HarnessRpc.Apply(rpcPort);

        var invocation = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            EnableDefaultExceptionHandler = false,
        };
        try
        {
            return await parseResult.InvokeAsync(invocation, cancellationToken);
        }
        catch (Connection.ClusterUnreachableException e)
        {
            stderr.WriteLine("error: " + OneLine(e.Message));
            return ExitCodes.Unreachable;
        }
        catch (Abstractions.Security.CallRefusedException e)
        {
            // The silo's trust boundary refused a call (no operator key, a bad one, fault injection off): nothing changed.
            stderr.WriteLine($"error: refused ({e.Reason}): " + OneLine(e.Message));
            return ExitCodes.Refused;
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0 && e.InnerExceptions.All(x => x is Abstractions.Security.CallRefusedException))
        {
            var first = (Abstractions.Security.CallRefusedException)e.InnerExceptions[0];
            stderr.WriteLine($"error: refused ({first.Reason}): " + OneLine(first.Message));
            return ExitCodes.Refused;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            stderr.WriteLine("error: interrupted");
            return ExitCodes.Interrupted;
        }
        catch (Exception e)
        {
            stderr.WriteLine("error: internal failure: " + OneLine(e.Message));
            return ExitCodes.Internal;
        }
    }

    /// <summary>
    /// The one error to report: an unrecognized token first (it explains most follow-up errors, such as a
    /// misspelt subcommand also reported as a missing one), else the parser's first error.
    /// </summary>
    private static string FirstError(ParseResult parseResult) =>
        parseResult.UnmatchedTokens.Count > 0
            ? $"unrecognized command or argument '{parseResult.UnmatchedTokens[0]}'"
            : parseResult.Errors[0].Message;

    /// <summary>Writes <c>error: message</c> as one line to <paramref name="stderr"/> and returns <see cref="ExitCodes.Usage"/>.</summary>
    public static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine("error: " + OneLine(message));
        return ExitCodes.Usage;
    }

    /// <summary>Collapses line breaks so a message is always one line.</summary>
    public static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
