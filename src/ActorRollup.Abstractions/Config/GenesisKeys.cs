using System.Security.Cryptography;
using System.Text;
using ActorRollup.Core.Crypto;

namespace ActorRollup.Abstractions.Config;

/// <summary>
/// The keys of a genesis (PROTOCOL.md §1, ENCODING.md "Genesis keys"). Member keys — each genesis sequencer's signer and
/// owner, each validator — derive from the secret node-key seed; the same seed gives the same keys on every machine.
/// Load-test accounts derive from the genesis's public <see cref="ChainGenesis.LoadTestSeed"/> (not here). What a client
/// may see of the member keys is their public halves, which <see cref="Publish"/> writes into the genesis.
/// </summary>
public static class GenesisKeys
{
    /// <summary>A node-key seed shorter than this is refused: it is the secret behind every member key.</summary>
    public const int MinNodeKeySeedLength = 16;

    /// <summary>The HMAC label of a node-key seed derived from an operator key (ENCODING.md).</summary>
    public const string OperatorDerivationLabel = "ActorRollup/node-key-seed/v1/";

    public static byte[] SequencerSignerSeed(string nodeKeySeed, string chainId, string sequencerId) =>
        SigningKey.DeriveSeed($"{Checked(nodeKeySeed)}/{chainId}/signer/{sequencerId}", 0);

    public static SigningKey SequencerSigner(string nodeKeySeed, string chainId, string sequencerId) =>
        SigningKey.FromSeed(SequencerSignerSeed(nodeKeySeed, chainId, sequencerId));

    public static SigningKey SequencerOwner(string nodeKeySeed, string chainId, string sequencerId) =>
        SigningKey.Derive($"{Checked(nodeKeySeed)}/{chainId}/owner/{sequencerId}", 0);

    public static byte[] ValidatorSeed(string nodeKeySeed, string chainId, string validatorId) =>
        SigningKey.DeriveSeed($"{Checked(nodeKeySeed)}/{chainId}/validator/{validatorId}", 0);

    public static SigningKey Validator(string nodeKeySeed, string chainId, string validatorId) =>
        SigningKey.FromSeed(ValidatorSeed(nodeKeySeed, chainId, validatorId));

    /// <summary>
    /// The node-key seed of chain <paramref name="chainId"/> derived from the cluster's operator key:
    /// lowercase hex of HMAC-SHA256(key = UTF-8 of the operator key, message = UTF-8 of
    /// <see cref="OperatorDerivationLabel"/> + chain id). Whoever holds the operator key can act as the chain's genesis
    /// owners; nobody else can, and one chain's seed tells nothing about another's.
    /// </summary>
    public static string NodeKeySeedFromOperatorKey(string operatorKey, string chainId)
    {
        ArgumentException.ThrowIfNullOrEmpty(operatorKey);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(operatorKey), Encoding.UTF8.GetBytes(OperatorDerivationLabel + chainId));
        return Convert.ToHexStringLower(mac);
    }

    /// <summary>The node-key seed a configured chain uses: the one configured (<c>Genesis:NodeKeySeed</c>), else the
    /// one derived from the operator key, else null (no source: the caller picks a fresh random one, or cannot sign).</summary>
    public static string? NodeKeySeedFor(string chainId, string? configured, string? operatorKey) =>
        !string.IsNullOrEmpty(configured) ? configured
        : !string.IsNullOrEmpty(operatorKey) ? NodeKeySeedFromOperatorKey(operatorKey, chainId)
        : null;

    /// <summary>A fresh random node-key seed (32 random bytes, hex): for chains whose members' keys no tool needs.</summary>
    public static string NewNodeKeySeed() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>Null when <paramref name="nodeKeySeed"/> can be a node-key seed, else why not.</summary>
    public static string? NodeKeySeedError(string? nodeKeySeed) =>
        string.IsNullOrEmpty(nodeKeySeed) ? "Genesis:NodeKeySeed is missing (the secret every member key derives from)"
        : nodeKeySeed.Length < MinNodeKeySeedLength ? $"Genesis:NodeKeySeed must be at least {MinNodeKeySeedLength} characters"
        : null;

    /// <summary>
    /// The public view of a bootstrap request: the same genesis without its node-key seed, each sequencer with its
    /// signer public key and owner address and each validator with its public key, as the seed derives them. Refused
    /// (an error, no view) when the request has no usable seed or names a public key or owner the seed does not derive.
    /// </summary>
    public static (ChainGenesis? View, string? Error) Publish(ChainGenesis genesis)
    {
        if (NodeKeySeedError(genesis.NodeKeySeed) is { } seedError) return (null, seedError);
        var seed = genesis.NodeKeySeed!;
        var chainId = genesis.Config.ChainId;
        var sequencers = new GenesisSequencer[genesis.Sequencers.Length];
        for (int i = 0; i < sequencers.Length; i++)
        {
            var s = genesis.Sequencers[i];
            using var signer = SequencerSigner(seed, chainId, s.Id);
            using var owner = SequencerOwner(seed, chainId, s.Id);
            if (s.SignerPublicKey is not null && !s.SignerPublicKey.AsSpan().SequenceEqual(signer.PublicKey))
                return (null, $"Genesis:Sequencers '{s.Id}' names a signer public key the node-key seed does not derive");
            if (s.Owner is { } named && named != owner.Address)
                return (null, $"Genesis:Sequencers '{s.Id}' names an owner the node-key seed does not derive");
            sequencers[i] = s with { SignerPublicKey = signer.PublicKey, Owner = owner.Address };
        }
        var validators = new GenesisValidator[genesis.Validators.Length];
        for (int i = 0; i < validators.Length; i++)
        {
            var v = genesis.Validators[i];
            using var key = Validator(seed, chainId, v.Id);
            if (v.PublicKey is not null && !v.PublicKey.AsSpan().SequenceEqual(key.PublicKey))
                return (null, $"Genesis:Validators '{v.Id}' names a public key the node-key seed does not derive");
            validators[i] = v with { PublicKey = key.PublicKey };
        }
        return (genesis with { NodeKeySeed = null, Sequencers = sequencers, Validators = validators }, null);
    }

    private static string Checked(string nodeKeySeed) =>
        NodeKeySeedError(nodeKeySeed) is { } error ? throw new ArgumentException(error, nameof(nodeKeySeed)) : nodeKeySeed;
}
