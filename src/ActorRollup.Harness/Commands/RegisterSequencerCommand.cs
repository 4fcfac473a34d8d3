using System.CommandLine;
using System.Security.Cryptography;
using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Crypto;
using ActorRollup.Harness.Options;
using ActorRollup.Harness.Output;
using ActorRollup.Harness.Session;

namespace ActorRollup.Harness.Commands;

/// <summary>
/// <c>rollup register-sequencer</c>: a genesis sequencer's owner registers a new sequencer with a fresh, random
/// signer key and locks its self-stake (PROTOCOL.md §5). Prints the staking result, the new signer public key, the
/// sequencer as the chain now sees it, and the owner's staker view. Exit 4 when registration is refused.
/// </summary>
public static class RegisterSequencerCommand
{
    public static Command Create()
    {
        var gateway = ClusterOptions.Gateway();
        var chain = ClusterOptions.Chain();
        var id = new Option<string>("--id")
        {
            Description = "Id of the new sequencer.",
            HelpName = "id",
            Required = true,
            CustomParser = OptionValues.MemberId("--id"),
        };
        var owner = StakeCommand.OwnerOption();
        var stake = new Option<UInt128>("--stake")
        {
            Description = "Self-stake to lock, in tokens (within the chain's [MinLockTokens, MaxLockTokens]).",
            HelpName = "tokens",
            Required = true,
            CustomParser = OptionValues.TokenAmount("--stake", allowZero: false),
        };

        var command = new Command("register-sequencer", "Register a new sequencer with a fresh signer key, owned by a genesis sequencer's owner.")
        {
            gateway, chain, id, owner, stake,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            await using var session = await ChainSession.OpenAsync(parse, gateway, chain, cancellationToken);
            if (session.Genesis is not { } genesis) return Cli.Fail(stderr, session.MissingChain);
            var ownerOf = parse.GetValue(owner)!;
            if (StakeCommand.UnknownOwner(genesis, session.ChainId, ownerOf) is { } ownerError) return Cli.Fail(stderr, ownerError);
            var newId = parse.GetValue(id)!;
            var amount = parse.GetValue(stake);

            using var ownerKey = StakeCommand.GenesisOwnerKey(session, genesis, ownerOf, out var keyError);
            if (ownerKey is null) return Cli.Fail(stderr, keyError);
            var signerSeed = RandomNumberGenerator.GetBytes(Ed25519.SeedSize);
            byte[] signerPublicKey;
            using (var signer = SigningKey.FromSeed(signerSeed)) signerPublicKey = signer.PublicKey;
            var staker = session.Grains.Staker(session.ChainId, ownerKey.Address);
            var nonce = (await staker.GetView()).Nonce;
            var action = StakeAction.Create(ownerKey, session.ChainId, StakeActionKind.RegisterSequencer, newId, amount, nonce, signerPublicKey);
            var result = await staker.Execute(action, signerSeed);

            stdout.WriteLine($"register-sequencer on {session.ChainId}: {newId} with self-stake {Terminal.Tokens(amount)}, owned by the owner of {ownerOf} ({ownerKey.Address}), nonce {nonce}");
            stdout.WriteLine(Terminal.Field("signer key", "0x" + Convert.ToHexStringLower(signerPublicKey)));
            StakeCommand.WriteResult(result, stdout);
            if (result.Ok)
            {
                var view = await session.Grains.Sequencer(session.ChainId, newId).GetView();
                stdout.WriteLine(Terminal.Field("sequencer", $"{view.Id}   status {view.Status}   self-stake {Terminal.Tokens(view.SelfStake)}   total {Terminal.Tokens(view.TotalStake)}   owner {view.Owner}"));
            }
            await StakeCommand.WriteStakerAsync(session, staker, stdout);
            if (result.Ok) return ExitCodes.Success;
            stderr.WriteLine($"error: registration refused: {result.Reason} ({(int)result.Reason}){(result.Detail.Length > 0 ? ": " + result.Detail : "")}");
            return ExitCodes.Refused;
        });
        return command;
    }
}
