using System.CommandLine;
using ActorRollup.Abstractions.Messages;

namespace ActorRollup.Harness.Commands;

/// <summary><c>rollup delegate</c> (also <c>rollup stake delegate</c>): Delegate tokens from a genesis sequencer owner's L1 balance to a sequencer. Built by <see cref="StakeCommand"/>.</summary>
public static class DelegateCommand
{
    public static Command Create() => StakeCommand.Build("delegate", StakeActionKind.Delegate, "Delegate tokens from a genesis sequencer owner's L1 balance to a sequencer.");
}
