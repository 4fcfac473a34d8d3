using System.CommandLine;
using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Crypto;
using ActorRollup.Harness.Options;
using ActorRollup.Harness.Output;
using ActorRollup.Harness.Session;
using Spectre.Console;

namespace ActorRollup.Harness.Commands;

/// <summary>
/// <c>rollup stake delegate|unlock|claim|claim-rewards</c>: staking actions on the L1 locking pool (PROTOCOL.md §5),
/// signed by the owner key of a genesis sequencer (derived, as the operator can, from the chain's node-key seed:
/// Genesis:NodeKeySeed or the one Cluster:OperatorKey derives). Each prints the
/// staking result (reason code, amount) and the staker's view afterwards. The same four commands also exist at the
/// top level (<c>rollup delegate …</c>); see <see cref="DelegateCommand"/>, <see cref="UnlockCommand"/>,
/// <see cref="ClaimCommand"/>, <see cref="ClaimRewardsCommand"/>. Exit 4 when the pool refuses the action.
/// </summary>
public static class StakeCommand
{
    public static Command Create()
    {
        var command = new Command("stake", "Staking actions signed by a genesis sequencer owner: delegate, unlock, claim, claim-rewards.");
        command.Subcommands.Add(DelegateCommand.Create());
        command.Subcommands.Add(UnlockCommand.Create());
        command.Subcommands.Add(ClaimCommand.Create());
        command.Subcommands.Add(ClaimRewardsCommand.Create());
        return command;
    }

    /// <summary>Builds one staking action command (a fresh instance each time, so it can sit under <c>stake</c> and at the top level).</summary>
    internal static Command Build(string name, StakeActionKind kind, string description)
    {
        var gateway = ClusterOptions.Gateway();
        var chain = ClusterOptions.Chain();
        var owner = OwnerOption();
        var to = new Option<string?>("--to")
        {
            Description = kind == StakeActionKind.ClaimUnlocked
                ? "Sequencer the claim names (default: the owner's own; every unlock past its exit delay is claimed)."
                : "Sequencer the action is for (default: the owner's own sequencer).",
            HelpName = "id",
            CustomParser = r => OptionValues.MemberId("--to")(r),
        };
        var needsAmount = kind is StakeActionKind.Delegate or StakeActionKind.Unlock;
        var amount = new Option<UInt128>("--amount")
        {
            Description = kind == StakeActionKind.Delegate ? "Tokens to delegate (12, 0.5, or 1000wei)." : "Tokens to unlock (12, 0.5, or 1000wei).",
            HelpName = "tokens",
            Required = true,
            CustomParser = OptionValues.TokenAmount("--amount", allowZero: false),
        };

        var command = new Command(name, description) { gateway, chain, owner, to };
        if (needsAmount) command.Options.Add(amount);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            await using var session = await ChainSession.OpenAsync(parse, gateway, chain, cancellationToken);
            if (session.Genesis is not { } genesis) return Cli.Fail(stderr, session.MissingChain);
            var ownerOf = parse.GetValue(owner)!;
            if (StakeCommand.UnknownOwner(genesis, session.ChainId, ownerOf) is { } ownerError) return Cli.Fail(stderr, ownerError);
            var target = parse.GetValue(to) ?? ownerOf;
            var known = await session.Grains.Rotation(session.ChainId).GetSequencerIds();
            if (!known.Contains(target))
                return Cli.Fail(stderr, $"--to '{target}' is not a sequencer of chain '{session.ChainId}'");

            using var key = GenesisOwnerKey(session, genesis, ownerOf, out var keyError);
            if (key is null) return Cli.Fail(stderr, keyError);
            var staker = session.Grains.Staker(session.ChainId, key.Address);
            var nonce = (await staker.GetView()).Nonce;
            UInt128 value = needsAmount ? parse.GetValue(amount) : 0;
            var action = StakeAction.Create(key, session.ChainId, kind, target, value, nonce);
            var result = await staker.Execute(action);

            var what = kind switch
            {
                StakeActionKind.Delegate => $"{Terminal.Tokens(value)} to {target}",
                StakeActionKind.Unlock => $"{Terminal.Tokens(value)} from {target}",
                StakeActionKind.ClaimUnlocked => "unlocked stake past its exit delay",
                _ => $"rewards from {target}",
            };
            stdout.WriteLine($"{name} on {session.ChainId}: {what}, signed by the owner of {ownerOf} ({key.Address}), nonce {nonce}");
            WriteResult(result, stdout);
            await WriteStakerAsync(session, staker, stdout);
            if (result.Ok) return ExitCodes.Success;
            stderr.WriteLine($"error: {name} refused: {result.Reason} ({(int)result.Reason}){(result.Detail.Length > 0 ? ": " + result.Detail : "")}");
            return ExitCodes.Refused;
        });
        return command;
    }

    internal static Option<string> OwnerOption() => new("--owner-sequencer")
    {
        Description = "Genesis sequencer whose owner signs (its key derives from the chain's node-key seed, which the operator key derives), e.g. seq-000.",
        HelpName = "id",
        Required = true,
        CustomParser = OptionValues.MemberId("--owner-sequencer"),
    };

    /// <summary>
    /// The owner key of genesis sequencer <paramref name="ownerOf"/>, derived as the operator can: from the chain's
    /// node-key seed as this harness knows it (<see cref="Connection.ClusterConnection.NodeKeySeedOf"/>), and checked
    /// against the owner address the chain publishes. Null with the one-line reason when this harness cannot sign as
    /// that owner (no operator key, or the chain's members derive from another seed).
    /// </summary>
    internal static SigningKey? GenesisOwnerKey(ChainSession session, ChainGenesis genesis, string ownerOf, out string error)
    {
        error = "";
        if (session.Connection.NodeKeySeedOf(session.ChainId) is not { } seed)
        {
            error = $"signing as the owner of {ownerOf} needs the chain's node-key seed: set Cluster:OperatorKey (or Genesis:NodeKeySeed) as the cluster has it";
            return null;
        }
        if (GenesisKeys.NodeKeySeedError(seed) is { } seedError)
        {
            error = seedError;
            return null;
        }
        var key = GenesisKeys.SequencerOwner(seed, session.ChainId, ownerOf);
        if (genesis.Sequencer(ownerOf)?.Owner == key.Address) return key;
        key.Dispose();
        error = $"the owner of {ownerOf} on chain '{session.ChainId}' does not derive from this harness's operator key (or Genesis:NodeKeySeed): the chain's members have another node-key seed";
        return null;
    }

    /// <summary>Prints a staking result: reason with its code, amount, detail.</summary>
    /// <summary>Null when <paramref name="ownerOf"/> is a genesis sequencer (whose owner key the harness can derive), else the error.</summary>
    internal static string? UnknownOwner(Abstractions.Config.ChainGenesis genesis, string chainId, string ownerOf) =>
        genesis.Sequencers.Any(s => s.Id == ownerOf)
            ? null
            : $"--owner-sequencer '{ownerOf}' is not a genesis sequencer of chain '{chainId}' ({string.Join(", ", genesis.Sequencers.Select(s => s.Id))})";

    internal static void WriteResult(StakeResult result, TextWriter stdout) =>
        stdout.WriteLine(Terminal.Field("result", $"{result.Reason} ({(int)result.Reason})   amount {Terminal.Tokens(result.Amount)}" +
            (result.Detail.Length > 0 ? "   " + result.Detail : "")));

    /// <summary>Prints the staker's view: L1 balance, nonce, positions, pending unlocks.</summary>
    internal static async Task WriteStakerAsync(ChainSession session, IStakerGrain staker, TextWriter stdout)
    {
        var view = await staker.GetView();
        var epoch = (await session.Grains.Rotation(session.ChainId).GetStatus()).Epoch;
        stdout.WriteLine(Terminal.Field("staker", view.Address.ToString()));
        stdout.WriteLine(Terminal.Field("L1 balance", $"{Terminal.Tokens(view.Balance)}   nonce {view.Nonce}   rewards claimed {Terminal.Tokens(view.RewardsClaimed)}   epoch now {epoch}"));
        if (view.Positions.Length > 0)
        {
            var positions = Terminal.Table(stdout, "position in", "value", "pending rewards").RightAlign(1, 2);
            foreach (var p in view.Positions) positions.Row(p.SequencerId, Terminal.Tokens(p.Value), Terminal.Tokens(p.PendingRewards));
            Terminal.Write(stdout, positions);
        }
        else stdout.WriteLine(Terminal.Field("positions", "none"));
        if (view.PendingUnlocks.Length > 0)
        {
            if (view.Positions.Length > 0) stdout.WriteLine();
            var unlocks = Terminal.Table(stdout, "unlocking from", "amount", "claimable from epoch").RightAlign(1, 2);
            foreach (var u in view.PendingUnlocks) unlocks.Row(u.SequencerId, Terminal.Tokens(u.Amount), u.ClaimableFromEpoch.ToString());
            Terminal.Write(stdout, unlocks);
        }
        else stdout.WriteLine(Terminal.Field("pending unlocks", "none"));
        stdout.Flush();
    }
}
