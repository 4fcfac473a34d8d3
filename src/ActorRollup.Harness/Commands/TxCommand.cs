using System.CommandLine;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Primitives;
using ActorRollup.Harness.Options;
using ActorRollup.Harness.Output;
using ActorRollup.Harness.Session;

namespace ActorRollup.Harness.Commands;

/// <summary>
/// <c>rollup tx &lt;hash&gt;</c>: a transaction's confirmation level, block height, mempool arrival sequence, and the
/// time it reached each level with the latency from admission. Exit 4 when the chain does not know the hash.
/// </summary>
public static class TxCommand
{
    public static Command Create()
    {
        var gateway = ClusterOptions.Gateway();
        var chain = ClusterOptions.Chain();
        var hash = new Argument<Hash32>("hash")
        {
            Description = "Transaction hash (64 hex digits, 0x optional).",
            CustomParser = result =>
            {
                var text = OptionValues.SingleToken(result, "hash");
                if (text is null) return default;
                if (Hash32.TryParse(text, out var value)) return value;
                result.AddError($"'{text}' is not a transaction hash (64 hex digits, 0x optional)");
                return default;
            },
        };

        var command = new Command("tx", "Show a transaction's confirmation level, height, arrival sequence and latencies.")
        {
            hash, gateway, chain,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            await using var session = await ChainSession.OpenAsync(parse, gateway, chain, cancellationToken);
            if (session.Genesis is null) return Cli.Fail(stderr, session.MissingChain);

            var s = await session.Chain.GetTxStatus(parse.GetValue(hash));
            stdout.WriteLine($"tx {s.Hash} on {session.ChainId}");
            stdout.WriteLine(Terminal.Field("level", TransferCommand.Name(s.Level)));
            if (s.Level == TxLevel.Unknown)
            {
                stdout.Flush();
                stderr.WriteLine($"error: transaction {s.Hash} is not known to chain '{session.ChainId}' (never admitted, or evicted)");
                return ExitCodes.Refused;
            }
            stdout.WriteLine(Terminal.Field("height", s.Height == 0 ? "- (not in a block yet)" : s.Height.ToString()));
            stdout.WriteLine(Terminal.Field("arrival sequence", s.ArrivalSequence.ToString()));
            stdout.WriteLine(Terminal.Field("admitted", Terminal.Time(s.AdmittedAtMs)));
            Level("soft-confirmed", s.SoftConfirmedAtMs);
            Level("validated", s.ValidatedAtMs);
            Level("finalized", s.FinalizedAtMs);
            stdout.Flush();
            return ExitCodes.Success;

            void Level(string name, long atMs) =>
                stdout.WriteLine(Terminal.Field(name, atMs <= 0 ? "-" : $"{Terminal.Time(atMs)}   {Terminal.Latency(s.AdmittedAtMs, atMs)} from admission"));
        });
        return command;
    }
}
