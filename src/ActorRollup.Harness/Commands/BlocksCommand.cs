using System.CommandLine;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Harness.Options;
using ActorRollup.Harness.Output;
using ActorRollup.Harness.Session;
using Spectre.Console;

namespace ActorRollup.Harness.Commands;

/// <summary>
/// <c>rollup blocks</c>: a table of committed blocks — height, epoch, term, proposer, transactions, attesting power
/// over committee power, state root, and whether each block is committed, validated and finalized. By default the
/// last 10 blocks; <c>--from H --count N</c> for a range.
/// </summary>
public static class BlocksCommand
{
    public const int DefaultCount = 10;
    public const int MaxCount = 1_000;

    public static Command Create()
    {
        var gateway = ClusterOptions.Gateway();
        var chain = ClusterOptions.Chain();
        var from = new Option<ulong?>("--from")
        {
            Description = "First height to list (default: the last --count blocks).",
            HelpName = "height",
            CustomParser = r => OptionValues.ULong("--from", 1)(r),
        };
        var count = new Option<int>("--count")
        {
            Description = $"Number of blocks to list (1..{MaxCount}).",
            HelpName = "n",
            DefaultValueFactory = _ => DefaultCount,
            CustomParser = OptionValues.Int("--count", 1, MaxCount),
        };

        var command = new Command("blocks", "List committed blocks with their proposer, attestation power, state root and confirmation flags.")
        {
            gateway, chain, from, count,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            await using var session = await ChainSession.OpenAsync(parse, gateway, chain, cancellationToken);
            if (session.Genesis is null) return Cli.Fail(stderr, session.MissingChain);

            var head = await session.Chain.GetHead();
            var n = (ulong)parse.GetValue(count);
            var first = parse.GetValue(from) ?? (head.Height >= n ? head.Height - n + 1 : 1);
            var last = Math.Min(head.Height, first + n - 1);
            var blocks = new List<BlockView>();
            for (var h = first; h <= last; h++)
            {
                // A rollback between reading the head and reading a block can shorten the chain: stop there.
                var block = await session.Chain.GetBlock(h);
                if (block is null) break;
                blocks.Add(block);
            }

            stdout.WriteLine(blocks.Count == 0
                ? $"chain {session.ChainId}: no blocks from height {first} (head {head.Height})"
                : $"chain {session.ChainId}: blocks {blocks[0].Height}..{blocks[^1].Height} of {head.Height}   validated {head.ValidatedHeight}   finalized {head.FinalizedHeight}");
            if (blocks.Count > 0)
            {
                var table = Terminal.Table(stdout, "height", "epoch", "term", "proposer", "txs", "power", "state root", "committed", "validated", "finalized")
                    .RightAlign(0, 1, 2, 4, 5);
                foreach (var b in blocks)
                    table.Row(b.Height.ToString(), b.Epoch.ToString(), b.Term.ToString(), b.Proposer, b.TransactionCount.ToString(),
                        $"{b.SignedPower}/{b.CommitteePower}", Terminal.Short(b.StateRoot),
                        Terminal.Flag(b.CommittedAtMs > 0), Terminal.Flag(b.Height <= head.ValidatedHeight || b.ValidatedAtMs > 0),
                        Terminal.Flag(b.Height <= head.FinalizedHeight || b.FinalizedAtMs > 0));
                Terminal.Write(stdout, table);
            }
            stdout.Flush();
            return ExitCodes.Success;
        });
        return command;
    }
}
