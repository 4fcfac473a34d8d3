using System.CommandLine;
using ActorRollup.Abstractions.Messages;

namespace ActorRollup.Harness.Commands;

/// <summary><c>rollup claim</c> (also <c>rollup stake claim</c>): Claim unlocked stake whose exit delay has passed back to the L1 balance. Built by <see cref="StakeCommand"/>.</summary>
public static class ClaimCommand
{
    public static Command Create() => StakeCommand.Build("claim", StakeActionKind.ClaimUnlocked, "Claim unlocked stake whose exit delay has passed back to the L1 balance.");
}
