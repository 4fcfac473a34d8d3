using ActorRollup.Core.Blocks;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;
using Orleans.Serialization.Cloning;

namespace ActorRollup.Abstractions.Serialization;

// The protocol core carries no Orleans attributes. These surrogates teach Orleans to send its types:
// value types field by field, transactions and headers as their canonical encodings (decoded and re-hashed
// on arrival, so a message can never carry a hash that disagrees with its content). Core types are
// immutable, so within a silo they pass by reference (shallow copiers) instead of being copied.

[GenerateSerializer, Alias("ar.Hash32")]
public struct Hash32Surrogate
{
    [Id(0)] public ulong W0;
    [Id(1)] public ulong W1;
    [Id(2)] public ulong W2;
    [Id(3)] public ulong W3;
}

[RegisterConverter]
public sealed class Hash32Converter : IConverter<Hash32, Hash32Surrogate>
{
    public Hash32 ConvertFromSurrogate(in Hash32Surrogate s) => new(s.W0, s.W1, s.W2, s.W3);
    public Hash32Surrogate ConvertToSurrogate(in Hash32 v) => new() { W0 = v.W0, W1 = v.W1, W2 = v.W2, W3 = v.W3 };
}

[GenerateSerializer, Alias("ar.Address")]
public struct AddressSurrogate
{
    [Id(0)] public ulong Hi;
    [Id(1)] public ulong Mid;
    [Id(2)] public uint Lo;
}

[RegisterConverter]
public sealed class AddressConverter : IConverter<Address, AddressSurrogate>
{
    public Address ConvertFromSurrogate(in AddressSurrogate s) => new(s.Hi, s.Mid, s.Lo);
    public AddressSurrogate ConvertToSurrogate(in Address v) => new() { Hi = v.Hi, Mid = v.Mid, Lo = v.Lo };
}

[GenerateSerializer, Alias("ar.Transaction")]
public struct TransactionSurrogate
{
    [Id(0)] public byte[] Encoded;
}

[RegisterConverter]
public sealed class TransactionConverter : IConverter<Transaction, TransactionSurrogate>
{
    public Transaction ConvertFromSurrogate(in TransactionSurrogate s) => TransactionCodec.Decode(s.Encoded);
    public TransactionSurrogate ConvertToSurrogate(in Transaction v) => new() { Encoded = v.Encoded };
}

[RegisterCopier]
public sealed class TransactionCopier : ShallowCopier<Transaction>;

[GenerateSerializer, Alias("ar.BlockHeader")]
public struct BlockHeaderSurrogate
{
    [Id(0)] public byte[] Encoded;
}

[RegisterConverter]
public sealed class BlockHeaderConverter : IConverter<BlockHeader, BlockHeaderSurrogate>
{
    public BlockHeader ConvertFromSurrogate(in BlockHeaderSurrogate s) => BlockHeader.Decode(s.Encoded);
    public BlockHeaderSurrogate ConvertToSurrogate(in BlockHeader v) => new() { Encoded = v.Encode() };
}

[RegisterCopier]
public sealed class BlockHeaderCopier : ShallowCopier<BlockHeader>;

[GenerateSerializer, Alias("ar.SignedHeader")]
public struct SignedHeaderSurrogate
{
    [Id(0)] public BlockHeader Header;
    [Id(1)] public byte[] Signature;
}

[RegisterConverter]
public sealed class SignedHeaderConverter : IConverter<SignedHeader, SignedHeaderSurrogate>
{
    public SignedHeader ConvertFromSurrogate(in SignedHeaderSurrogate s) => new(s.Header, s.Signature);
    public SignedHeaderSurrogate ConvertToSurrogate(in SignedHeader v) => new() { Header = v.Header, Signature = v.ProposerSignature };
}

[RegisterCopier]
public sealed class SignedHeaderCopier : ShallowCopier<SignedHeader>;

[GenerateSerializer, Alias("ar.Block")]
public struct BlockSurrogate
{
    [Id(0)] public SignedHeader Signed;
    [Id(1)] public Transaction[] Transactions;
    [Id(2)] public ulong[] ArrivalSequences;
}

[RegisterConverter]
public sealed class BlockConverter : IConverter<Block, BlockSurrogate>
{
    public Block ConvertFromSurrogate(in BlockSurrogate s)
    {
        if (s.Transactions.Length != s.ArrivalSequences.Length) throw new ArgumentException("block body: transaction and sequence counts differ");
        var entries = new BlockEntry[s.Transactions.Length];
        for (int i = 0; i < entries.Length; i++) entries[i] = new BlockEntry(s.Transactions[i], s.ArrivalSequences[i]);
        return new Block(s.Signed, entries);
    }

    public BlockSurrogate ConvertToSurrogate(in Block v) => new()
    {
        Signed = v.Signed,
        Transactions = v.Entries.Select(e => e.Transaction).ToArray(),
        ArrivalSequences = v.Entries.Select(e => e.ArrivalSequence).ToArray(),
    };
}

[RegisterCopier]
public sealed class BlockCopier : ShallowCopier<Block>;

[GenerateSerializer, Alias("ar.CommitteeSignature")]
public struct CommitteeSignatureSurrogate
{
    [Id(0)] public string MemberId;
    [Id(1)] public byte[] Signature;
}

[RegisterConverter]
public sealed class CommitteeSignatureConverter : IConverter<CommitteeSignature, CommitteeSignatureSurrogate>
{
    public CommitteeSignature ConvertFromSurrogate(in CommitteeSignatureSurrogate s) => new(s.MemberId, s.Signature);
    public CommitteeSignatureSurrogate ConvertToSurrogate(in CommitteeSignature v) => new() { MemberId = v.MemberId, Signature = v.Signature };
}

[RegisterCopier]
public sealed class CommitteeSignatureCopier : ShallowCopier<CommitteeSignature>;

[GenerateSerializer, Alias("ar.QuorumCertificate")]
public struct QuorumCertificateSurrogate
{
    [Id(0)] public Hash32 BlockHash;
    [Id(1)] public CommitteeSignature[] Signatures;
}

[RegisterConverter]
public sealed class QuorumCertificateConverter : IConverter<QuorumCertificate, QuorumCertificateSurrogate>
{
    public QuorumCertificate ConvertFromSurrogate(in QuorumCertificateSurrogate s) => new(s.BlockHash, s.Signatures);
    public QuorumCertificateSurrogate ConvertToSurrogate(in QuorumCertificate v) => new() { BlockHash = v.BlockHash, Signatures = v.Signatures.ToArray() };
}

[RegisterCopier]
public sealed class QuorumCertificateCopier : ShallowCopier<QuorumCertificate>;

[GenerateSerializer, Alias("ar.CommitteeSeat")]
public struct CommitteeSeatSurrogate
{
    [Id(0)] public string Id;
    [Id(1)] public byte[] PublicKey;
    [Id(2)] public long Power;
}

[RegisterConverter]
public sealed class CommitteeSeatConverter : IConverter<CommitteeSeat, CommitteeSeatSurrogate>
{
    public CommitteeSeat ConvertFromSurrogate(in CommitteeSeatSurrogate s) => new(s.Id, s.PublicKey, s.Power);
    public CommitteeSeatSurrogate ConvertToSurrogate(in CommitteeSeat v) => new() { Id = v.Id, PublicKey = v.PublicKey, Power = v.Power };
}

[RegisterCopier]
public sealed class CommitteeSeatCopier : ShallowCopier<CommitteeSeat>;

[GenerateSerializer, Alias("ar.EquivocationEvidence")]
public struct EquivocationEvidenceSurrogate
{
    [Id(0)] public SignedHeader First;
    [Id(1)] public SignedHeader Second;
}

[RegisterConverter]
public sealed class EquivocationEvidenceConverter : IConverter<EquivocationEvidence, EquivocationEvidenceSurrogate>
{
    public EquivocationEvidence ConvertFromSurrogate(in EquivocationEvidenceSurrogate s) => new(s.First, s.Second);
    public EquivocationEvidenceSurrogate ConvertToSurrogate(in EquivocationEvidence v) => new() { First = v.First, Second = v.Second };
}

[RegisterCopier]
public sealed class EquivocationEvidenceCopier : ShallowCopier<EquivocationEvidence>;

[GenerateSerializer, Alias("ar.StateTree")]
public struct StateTreeSurrogate
{
    [Id(0)] public Address[] Addresses;
    [Id(1)] public ulong[] Nonces;
    [Id(2)] public UInt128[] Balances;
    /// <summary>Second-token balances; null (or empty) from a sender whose accounts hold none.</summary>
    [Id(3)] public UInt128[]? Tokens;
}

/// <summary>A state crosses silos as its account list (the root is recomputed on arrival); within a silo it is shared.</summary>
[RegisterConverter]
public sealed class StateTreeConverter : IConverter<Core.State.StateTree, StateTreeSurrogate>
{
    public Core.State.StateTree ConvertFromSurrogate(in StateTreeSurrogate s)
    {
        var addresses = s.Addresses;
        var nonces = s.Nonces;
        var balances = s.Balances;
        var tokens = s.Tokens is { Length: > 0 } t ? t : null;
        return Core.State.StateTree.FromAccounts(addresses.Select((a, i) =>
            new KeyValuePair<Address, Core.Execution.Account>(a, new Core.Execution.Account(nonces[i], balances[i], tokens?[i] ?? 0))));
    }

    public StateTreeSurrogate ConvertToSurrogate(in Core.State.StateTree v)
    {
        var accounts = v.Enumerate().ToArray();
        return new StateTreeSurrogate
        {
            Addresses = accounts.Select(a => a.Key).ToArray(),
            Nonces = accounts.Select(a => a.Value.Nonce).ToArray(),
            Balances = accounts.Select(a => a.Value.Balance).ToArray(),
            Tokens = accounts.Any(a => a.Value.Tokens != 0) ? accounts.Select(a => a.Value.Tokens).ToArray() : null,
        };
    }
}

[RegisterCopier]
public sealed class StateTreeCopier : ShallowCopier<Core.State.StateTree>;

[GenerateSerializer, Alias("ar.Account")]
public struct AccountSurrogate
{
    [Id(0)] public ulong Nonce;
    [Id(1)] public UInt128 Balance;
    [Id(2)] public UInt128 Tokens;
}

[RegisterConverter]
public sealed class AccountConverter : IConverter<Core.Execution.Account, AccountSurrogate>
{
    public Core.Execution.Account ConvertFromSurrogate(in AccountSurrogate s) => new(s.Nonce, s.Balance, s.Tokens);
    public AccountSurrogate ConvertToSurrogate(in Core.Execution.Account v) => new() { Nonce = v.Nonce, Balance = v.Balance, Tokens = v.Tokens };
}

[GenerateSerializer, Alias("ar.BlockEntry")]
public struct BlockEntrySurrogate
{
    [Id(0)] public Transaction Transaction;
    [Id(1)] public ulong ArrivalSequence;
}

[RegisterConverter]
public sealed class BlockEntryConverter : IConverter<BlockEntry, BlockEntrySurrogate>
{
    public BlockEntry ConvertFromSurrogate(in BlockEntrySurrogate s) => new(s.Transaction, s.ArrivalSequence);
    public BlockEntrySurrogate ConvertToSurrogate(in BlockEntry v) => new() { Transaction = v.Transaction, ArrivalSequence = v.ArrivalSequence };
}

[RegisterCopier]
public sealed class BlockEntryCopier : ShallowCopier<BlockEntry>;
