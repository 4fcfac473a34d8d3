using System.CommandLine;
using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Primitives;
using ActorRollup.Harness.Options;
using ActorRollup.Harness.Output;
using ActorRollup.Harness.Session;

namespace ActorRollup.Harness.Commands;

/// <summary>
/// <c>rollup fault &lt;kind&gt; --target ID</c>: injects a fault (PROTOCOL.md §9) into a sequencer (or the current leader,
/// <c>--target leader</c>) or a validator, and prints what was injected and the target's fault as it now reports it.
/// <c>--clear</c> (or kind <c>none</c>) removes the target's fault. One-shot faults (wrong-root, wrong-balance,
/// equivocate, reorder, front-run) fire on the target's next block unless <c>--repeat</c>; the others last until cleared.
/// </summary>
public static class FaultCommand
{
    private sealed record Kind(string Name, SequencerFaultKind? Sequencer, ValidatorFaultKind? Validator, string Help);

    private static readonly Kind[] Kinds =
    [
        new("crash", SequencerFaultKind.Crash, null, "stops producing and answering"),
        new("slow", SequencerFaultKind.Slow, null, "waits --delay before each block and attestation"),
        new("wrong-root", SequencerFaultKind.WrongStateRoot, null, "a wrong state root in its next block"),
        new("wrong-balance", SequencerFaultKind.WrongBalance, null, "credits itself tokens that do not exist"),
        new("equivocate", SequencerFaultKind.Equivocate, null, "signs two blocks at its next height"),
        new("censor", SequencerFaultKind.Censor, null, "leaves --sender's transactions out of its blocks"),
        new("reorder", SequencerFaultKind.Reorder, null, "reverses the policy order of its next block"),
        new("front-run", SequencerFaultKind.FrontRun, null, "inserts its own unadmitted transaction first"),
        new("offline", SequencerFaultKind.Offline, null, "does not attest"),
        new("validator-offline", null, ValidatorFaultKind.Offline, "a validator ignores blocks and votes"),
        new("false-challenge", null, ValidatorFaultKind.FalseChallenge, "a validator challenges the next valid block"),
        new("none", SequencerFaultKind.None, ValidatorFaultKind.None, "clears the target's fault"),
    ];

    private static readonly HashSet<SequencerFaultKind> OneShot =
        [SequencerFaultKind.WrongStateRoot, SequencerFaultKind.WrongBalance, SequencerFaultKind.Equivocate, SequencerFaultKind.Reorder, SequencerFaultKind.FrontRun];

    private static string KindNames => string.Join(", ", Kinds.Select(k => k.Name));

    public static Command Create()
    {
        var gateway = ClusterOptions.Gateway();
        var chain = ClusterOptions.Chain();
        var kind = new Argument<Kind?>("kind")
        {
            Description = "Fault to inject: " + string.Join("; ", Kinds.Select(k => $"{k.Name} ({k.Help})")) + ".",
            Arity = ArgumentArity.ZeroOrOne,
            CustomParser = result =>
            {
                var text = OptionValues.SingleToken(result, "kind");
                if (text is null) return null;
                var found = Kinds.FirstOrDefault(k => k.Name == text);
                if (found is null) result.AddError($"unknown fault kind '{text}' (expected one of {KindNames})");
                return found;
            },
        };
        var target = new Option<string>("--target")
        {
            Description = "Sequencer id, 'leader' (the current term's leader) or validator id (val-..) to inject into.",
            HelpName = "id",
            Required = true,
            CustomParser = OptionValues.MemberId("--target"),
        };
        var delay = Durations.OptionalOption("--delay", "For slow: how long to wait before each block and attestation.", BareUnit.Milliseconds,
            TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(10));
        var sender = new Option<Address?>("--sender")
        {
            Description = "For censor: the address whose transactions are left out.",
            HelpName = "address",
            CustomParser = r => OptionValues.AddressValue("--sender")(r),
        };
        var clear = new Option<bool>("--clear") { Description = "Clear the target's fault (the same as kind none)." };
        var repeat = new Option<bool>("--repeat") { Description = "One-shot kinds: fire on every block until cleared instead of once." };

        var command = new Command("fault", "Inject a fault into a sequencer, the current leader or a validator (or clear it).")
        {
            kind, gateway, chain, target, delay, sender, clear, repeat,
        };
        command.Validators.Add(result =>
        {
            // An unknown kind is the argument's own error; reading its value here would throw.
            if (result.GetResult(kind) is { Tokens: [var token] } && !Kinds.Any(x => x.Name == token.Value)) return;
            var k = result.GetValue(kind);
            var clearing = result.GetValue(clear);
            if (k is null && !clearing) { result.AddError($"give a fault kind ({KindNames}) or --clear"); return; }
            if (clearing && k is not null && k.Name != "none") { result.AddError($"--clear cannot be combined with kind '{k.Name}'"); return; }
            var name = k?.Name ?? "none";
            var hasDelay = result.GetResult(delay) is not null;
            var hasSender = result.GetResult(sender) is not null;
            if (name == "slow" && !hasDelay) result.AddError("slow needs --delay MS");
            else if (name != "slow" && hasDelay) result.AddError("--delay only applies to slow");
            else if (name == "censor" && !hasSender) result.AddError("censor needs --sender ADDRESS");
            else if (name != "censor" && hasSender) result.AddError("--sender only applies to censor");
            else if (result.GetValue(repeat) && (k?.Sequencer is not { } s || !OneShot.Contains(s)))
                result.AddError("--repeat only applies to wrong-root, wrong-balance, equivocate, reorder and front-run");
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            await using var session = await ChainSession.OpenAsync(parse, gateway, chain, cancellationToken);
            if (session.Genesis is not { } genesis) return Cli.Fail(stderr, session.MissingChain);

            var k = parse.GetValue(kind) ?? Kinds.Single(x => x.Name == "none");
            var requested = parse.GetValue(target)!;
            var rotation = session.Grains.Rotation(session.ChainId);
            var id = requested;
            var role = "";
            if (requested == "leader")
            {
                if (k.Sequencer is null) return Cli.Fail(stderr, $"--target leader names a sequencer, but {k.Name} is a validator fault");
                var term = await rotation.GetCurrent();
                if (term is null) return Cli.Fail(stderr, $"chain '{session.ChainId}' has no current leader");
                id = term.LeaderId;
                role = $" (leader of term {term.Term}, epoch {term.Epoch})";
            }
            var isValidator = genesis.Validators.Any(v => v.Id == id);
            var isSequencer = !isValidator && (await rotation.GetSequencerIds()).Contains(id);
            if (!isValidator && !isSequencer)
                return Cli.Fail(stderr, $"--target '{id}' is neither a sequencer nor a validator of chain '{session.ChainId}'");
            if (isValidator && k.Validator is null)
                return Cli.Fail(stderr, $"{k.Name} is a sequencer fault, but '{id}' is a validator (validator faults: validator-offline, false-challenge, none)");
            if (isSequencer && k.Sequencer is null)
                return Cli.Fail(stderr, $"{k.Name} is a validator fault, but '{id}' is a sequencer");

            string injected, now;
            if (isValidator)
            {
                var validator = session.Grains.Validator(session.ChainId, id);
                await validator.InjectFault(k.Validator!.Value);
                injected = k.Validator.Value.ToString();
                var view = await validator.GetView();
                now = $"validator {id}: fault {view.Fault}   verified height {view.VerifiedHeight}   strikes {view.Strikes}";
            }
            else
            {
                var kindValue = k.Sequencer!.Value;
                var repeatIt = parse.GetValue(repeat);
                var fault = new SequencerFault(kindValue, (int)(parse.GetValue(delay)?.TotalMilliseconds ?? 0), parse.GetValue(sender)?.ToString(), Once: !repeatIt);
                var sequencer = session.Grains.Sequencer(session.ChainId, id);
                await sequencer.InjectFault(fault);
                injected = kindValue.ToString() + kindValue switch
                {
                    SequencerFaultKind.None => "",
                    SequencerFaultKind.Slow => $" (delay {fault.DelayMs} ms, until cleared)",
                    SequencerFaultKind.Censor => $" (sender {fault.Target}, until cleared)",
                    _ when OneShot.Contains(kindValue) => repeatIt ? " (every block until cleared)" : " (once, at its next block)",
                    _ => " (until cleared)",
                };
                var view = await sequencer.GetView();
                now = $"sequencer {id}: fault {view.Fault}   status {view.Status}   {(view.Leading ? $"leading term {view.LeadingTerm}" : "not leading")}   blocks proposed {view.BlocksProposed}";
            }

            stdout.WriteLine(k.Name == "none"
                ? $"fault on {session.ChainId}: cleared {(isValidator ? "validator" : "sequencer")} {id}{role}"
                : $"fault on {session.ChainId}: injected {injected} into {(isValidator ? "validator" : "sequencer")} {id}{role}");
            stdout.WriteLine(now);
            stdout.Flush();
            return ExitCodes.Success;
        });
        return command;
    }
}
