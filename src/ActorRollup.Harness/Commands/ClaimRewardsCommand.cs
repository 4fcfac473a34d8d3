using System.CommandLine;
using ActorRollup.Abstractions.Messages;

namespace ActorRollup.Harness.Commands;

/// <summary><c>rollup claim-rewards</c> (also <c>rollup stake claim-rewards</c>): Claim the staking rewards (and, for a sequencer's owner, its commission) of a position. Built by <see cref="StakeCommand"/>.</summary>
public static class ClaimRewardsCommand
{
    public static Command Create() => StakeCommand.Build("claim-rewards", StakeActionKind.ClaimRewards, "Claim the staking rewards (and, for a sequencer's owner, its commission) of a position.");
}
