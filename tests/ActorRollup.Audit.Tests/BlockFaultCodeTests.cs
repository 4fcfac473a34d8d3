using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Blocks;

namespace ActorRollup.Audit.Tests;

/// <summary>The one list of block faults, mapped to the codes scripts and results read: the audit's kebab-case reason
/// codes and the chain's numeric refusal codes stay what they were.</summary>
public class BlockFaultCodeTests
{
    [Theory]
    [InlineData(BlockFault.WrongHeight, "height-gap")]
    [InlineData(BlockFault.WrongChain, "wrong-chain")]
    [InlineData(BlockFault.WrongParent, "parent-link")]
    [InlineData(BlockFault.WrongEpoch, "wrong-epoch")]
    [InlineData(BlockFault.IllegitimateLeader, "illegitimate-leader")]
    [InlineData(BlockFault.OutsideTerm, "outside-term")]
    [InlineData(BlockFault.BadProposerSignature, "bad-proposer-signature")]
    [InlineData(BlockFault.BadCertificate, "bad-certificate")]
    [InlineData(BlockFault.TxRootMismatch, "tx-root-mismatch")]
    [InlineData(BlockFault.BadFeeRecipient, "bad-fee-recipient")]
    [InlineData(BlockFault.OrderingViolation, "ordering-violation")]
    [InlineData(BlockFault.StateRootMismatch, "state-root-mismatch")]
    [InlineData(BlockFault.InvalidTransaction, "tx-not-executable")]
    public void Every_block_fault_has_its_audit_code(BlockFault fault, string code) =>
        Assert.Equal(code, AuditReasons.Code(AuditReasons.Of(fault)));

    [Fact]
    public void The_table_above_covers_every_fault()
    {
        var faults = Enum.GetValues<BlockFault>().Where(f => f != BlockFault.None).ToArray();
        Assert.All(faults, f => AuditReasons.Of(f)); // throws for an unmapped fault
        Assert.Throws<ArgumentOutOfRangeException>(() => AuditReasons.Of(BlockFault.None));
    }

    [Theory]
    [InlineData(BlockFault.None, 0)]
    [InlineData(BlockFault.IllegitimateLeader, 4)]   // NotLeader
    [InlineData(BlockFault.WrongParent, 5)]
    [InlineData(BlockFault.WrongHeight, 6)]
    [InlineData(BlockFault.WrongChain, 7)]
    [InlineData(BlockFault.BadProposerSignature, 8)]
    [InlineData(BlockFault.TxRootMismatch, 9)]       // BadTxRoot
    [InlineData(BlockFault.BadCertificate, 10)]
    [InlineData(BlockFault.OutsideTerm, 11)]
    [InlineData(BlockFault.WrongEpoch, 11)]          // an epoch that is not the height's is outside any term
    [InlineData(BlockFault.BadFeeRecipient, 22)]
    public void The_chain_refuses_each_header_fault_with_its_stable_code(BlockFault fault, int code) =>
        Assert.Equal(code, (int)ChainReasons.Of(fault));

    [Theory]
    [InlineData(BlockFault.StateRootMismatch)]
    [InlineData(BlockFault.InvalidTransaction)]
    [InlineData(BlockFault.OrderingViolation)]
    public void Faults_only_re_execution_or_admission_records_reveal_are_not_chain_refusals(BlockFault fault) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ChainReasons.Of(fault));
}
