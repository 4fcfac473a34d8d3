using System.CommandLine;
using ActorRollup.Abstractions.Messages;

namespace ActorRollup.Harness.Commands;

/// <summary><c>rollup unlock</c> (also <c>rollup stake unlock</c>): Unlock staked tokens; they become claimable after the exit delay. Built by <see cref="StakeCommand"/>.</summary>
public static class UnlockCommand
{
    public static Command Create() => StakeCommand.Build("unlock", StakeActionKind.Unlock, "Unlock staked tokens; they become claimable after the exit delay.");
}
