using ActorRollup.Core.Primitives;

namespace ActorRollup.Abstractions.Config;

/// <summary>
/// A sequencer of the genesis committee. Its signer and owner keys derive from the secret node-key seed
/// (<see cref="GenesisKeys"/>); the chain publishes their public halves at bootstrap.
/// </summary>
[GenerateSerializer, Immutable, Alias("ar.GenesisSequencer")]
public sealed record GenesisSequencer(string Id, ulong StakeTokens)
{
    /// <summary>The signer's Ed25519 public key (32 bytes). Public; filled by the chain at bootstrap (a bootstrap request
    /// may leave it empty; when it names one, it must be the key the node-key seed derives).</summary>
    [Id(2)] public byte[]? SignerPublicKey { get; init; }

    /// <summary>The owner's L1 address (public; filled by the chain at bootstrap like <see cref="SignerPublicKey"/>).</summary>
    [Id(3)] public Address? Owner { get; init; }
}

/// <summary>A bonded validator at genesis. Its key derives from the secret node-key seed.</summary>
[GenerateSerializer, Immutable, Alias("ar.GenesisValidator")]
public sealed record GenesisValidator(string Id, ulong BondTokens)
{
    /// <summary>The validator's Ed25519 public key (32 bytes): what its fraud proofs are checked against and, as an
    /// address, where its reporter rewards go. Public; filled by the chain at bootstrap.</summary>
    [Id(2)] public byte[]? PublicKey { get; init; }
}

/// <summary>An L2 account funded at genesis (0x address, whole tokens).</summary>
[GenerateSerializer, Immutable, Alias("ar.GenesisFunding")]
public sealed record GenesisFunding(string Address, ulong Tokens)
{
    /// <summary>Whole second tokens (TKN, PROTOCOL.md §12) the account holds at genesis.</summary>
    [Id(2)] public ulong Tkn { get; init; }
}

/// <summary>
/// Everything needed to start a chain: its parameters, the genesis committee and validators, funded accounts, and the
/// deterministic load-test accounts (keys derived from the public <see cref="LoadTestSeed"/>, so a harness that knows
/// it can sign for them). The members' keys derive from the secret <see cref="NodeKeySeed"/> instead
/// (<see cref="GenesisKeys"/>): it is part of a bootstrap request only. The chain keeps it in its own state and
/// publishes the genesis without it — with each member's public key in its place (<see cref="GenesisKeys.Publish"/>);
/// that public view is what <c>IChainGrain.GetGenesis</c> returns and what the audit replays from.
/// </summary>
[GenerateSerializer, Immutable, Alias("ar.ChainGenesis")]
public sealed record ChainGenesis
{
    [Id(0)] public required ChainConfig Config { get; init; }
    [Id(1)] public GenesisSequencer[] Sequencers { get; init; } = [];
    [Id(2)] public GenesisValidator[] Validators { get; init; } = [];
    [Id(3)] public GenesisFunding[] Accounts { get; init; } = [];
    // Id 4 was KeySeed (one public seed of every key, members' included): retired, never reuse it.
    [Id(5)] public int LoadTestAccounts { get; init; } = 1_000;
    [Id(6)] public ulong LoadTestAccountTokens { get; init; } = 1_000_000;
    /// <summary>L1 tokens each sequencer owner holds beyond its genesis self-stake.</summary>
    [Id(7)] public ulong OwnerL1Tokens { get; init; } = 100_000;
    /// <summary>Genesis time (Unix ms) written into block 0.</summary>
    [Id(8)] public long GenesisTimeMs { get; init; }
    /// <summary>The public seed of the load-test accounts (account i's key is <c>SigningKey.Derive(LoadTestSeed, i)</c>).
    /// Anyone may sign for these accounts: they are the simulation's traffic, not anyone's money.</summary>
    [Id(9)] public string LoadTestSeed { get; init; } = DefaultLoadTestSeed;
    /// <summary>The secret seed of every member key (sequencer signers and owners, validators). Present in a bootstrap
    /// request only: the chain stores it apart and never returns it; the published genesis has none.</summary>
    [Id(10)] public string? NodeKeySeed { get; init; }
    /// <summary>Load-test accounts with secp256k1 keys (account i's key is <c>EthKey.Derive(LoadTestSeed, i)</c>), for
    /// Ethereum-format traffic; funded with <see cref="LoadTestAccountTokens"/> each like the Ed25519 ones.</summary>
    [Id(11)] public int LoadTestEthAccounts { get; init; }
    /// <summary>Whole second tokens (TKN, PROTOCOL.md §12) each load-test account (both kinds) holds at genesis.</summary>
    [Id(12)] public ulong LoadTestAccountTkn { get; init; }
    /// <summary>The constant-product pool's genesis reserves in whole tokens: native and TKN. Both 0 (the default) or both
    /// positive; the pool's native reserve counts in the native supply, its TKN reserve in the TKN supply.</summary>
    [Id(13)] public ulong PoolNativeTokens { get; init; }
    [Id(14)] public ulong PoolTkn { get; init; }

    /// <summary>The load-test seed of a genesis that names none (the accounts of earlier versions' default chain).</summary>
    public const string DefaultLoadTestSeed = "actorrollup/loadtest";

    /// <summary>The genesis sequencer <paramref name="id"/>, or null.</summary>
    public GenesisSequencer? Sequencer(string id) => Array.Find(Sequencers, s => s.Id == id);

    /// <summary>The genesis validator <paramref name="id"/>, or null.</summary>
    public GenesisValidator? Validator(string id) => Array.Find(Validators, v => v.Id == id);

    /// <summary>A default genesis: 8 sequencers with distinct stakes, 4 validators, funded load-test accounts.</summary>
    public static ChainGenesis Default(ChainConfig config, int sequencers = 8, int validators = 4, int loadTestAccounts = 1_000) => new()
    {
        Config = config,
        Sequencers = Enumerable.Range(0, sequencers).Select(i => new GenesisSequencer($"seq-{i:D3}", 20_000 + (ulong)(i * 7_919 % 80_000))).ToArray(),
        Validators = Enumerable.Range(0, validators).Select(i => new GenesisValidator($"val-{i:D2}", 10_000)).ToArray(),
        LoadTestAccounts = loadTestAccounts,
    };

    /// <summary>Upper bounds of a genesis (docs/PROTOCOL.md §11): a bootstrap beyond them is refused before anything is written.</summary>
    public const int MaxSequencers = 1_024;
    public const int MaxValidators = 256;
    public const int MaxAccounts = 100_000;
    public const int MaxLoadTestAccounts = 100_000;
    public const ulong MaxTokensPerAccount = 1_000_000_000_000;

    /// <summary>Every problem with this genesis, each naming its setting. A bootstrap validates first and writes nothing
    /// unless this is empty: bounds on every count, the configuration, and every check a genesis registration would
    /// otherwise fail half-way (stake bounds, the registration whitelist naming each genesis owner).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>(Config.Validate());
        if (Sequencers is null || Validators is null || Accounts is null) return [.. errors, "Genesis: sequencers, validators and accounts must be lists"];
        if (Sequencers.Length > MaxSequencers) errors.Add($"Genesis:Sequencers lists {Sequencers.Length} sequencers; at most {MaxSequencers}");
        if (Validators.Length > MaxValidators) errors.Add($"Genesis:Validators lists {Validators.Length} validators; at most {MaxValidators}");
        if (Accounts.Length > MaxAccounts) errors.Add($"Genesis:Accounts lists {Accounts.Length} accounts; at most {MaxAccounts}");
        if (LoadTestAccounts > MaxLoadTestAccounts) errors.Add($"Genesis:LoadTestAccounts must be at most {MaxLoadTestAccounts}");
        if (LoadTestEthAccounts < 0 || LoadTestEthAccounts > MaxLoadTestAccounts) errors.Add($"Genesis:LoadTestEthAccounts must be between 0 and {MaxLoadTestAccounts}");
        if (LoadTestAccountTokens > MaxTokensPerAccount) errors.Add($"Genesis:LoadTestAccountTokens must be at most {MaxTokensPerAccount}");
        if (OwnerL1Tokens > MaxTokensPerAccount) errors.Add($"Genesis:OwnerL1Tokens must be at most {MaxTokensPerAccount}");
        if (LoadTestAccountTkn > MaxTokensPerAccount) errors.Add($"Genesis:LoadTestAccountTkn must be at most {MaxTokensPerAccount}");
        if (PoolNativeTokens > MaxTokensPerAccount || PoolTkn > MaxTokensPerAccount)
            errors.Add($"Genesis:PoolNativeTokens and Genesis:PoolTkn must be at most {MaxTokensPerAccount}");
        if ((PoolNativeTokens == 0) != (PoolTkn == 0)) errors.Add("Genesis:PoolNativeTokens and Genesis:PoolTkn must both be 0 (no pool) or both positive");
        if (string.IsNullOrEmpty(LoadTestSeed) || LoadTestSeed.Length > 256) errors.Add("Genesis:LoadTestSeed must be 1-256 characters");
        if (NodeKeySeed is { Length: > 256 }) errors.Add("Genesis:NodeKeySeed must be at most 256 characters");
        if (errors.Count > 0) return errors; // the rest derives keys per entry: only for a genesis within its bounds
        if (Sequencers.Length == 0) errors.Add("Genesis:Sequencers must list at least one sequencer");
        if (Validators.Length == 0) errors.Add("Genesis:Validators must list at least one validator");
        foreach (var dup in Sequencers.GroupBy(s => s.Id).Where(g => g.Count() > 1)) errors.Add($"Genesis:Sequencers lists '{dup.Key}' twice");
        foreach (var dup in Validators.GroupBy(s => s.Id).Where(g => g.Count() > 1)) errors.Add($"Genesis:Validators lists '{dup.Key}' twice");
        foreach (var s in Sequencers)
        {
            if (string.IsNullOrWhiteSpace(s.Id) || s.Id.Contains('/') || s.Id.Length > 64) errors.Add($"Genesis:Sequencers id '{s.Id}' must be 1-64 characters without '/'");
            if (s.StakeTokens < Config.MinLockTokens || s.StakeTokens > Config.MaxLockTokens)
                errors.Add($"Genesis:Sequencers '{s.Id}' stake {s.StakeTokens} must be within [{Config.MinLockTokens}, {Config.MaxLockTokens}] tokens");
        }
        // A whitelist must admit every genesis owner, or the bootstrap's own registrations would be refused half-way. The
        // owner is the published one, else the one the node-key seed derives (a bootstrap request carries the seed).
        if (errors.Count == 0 && Config.RegistrationWhitelist.Length > 0)
        {
            var allowed = Config.RegistrationWhitelist.Select(Core.Primitives.Address.Parse).ToHashSet();
            foreach (var s in Sequencers)
            {
                Address? owner = s.Owner;
                if (owner is null && NodeKeySeed is not null && GenesisKeys.NodeKeySeedError(NodeKeySeed) is null)
                {
                    using var key = GenesisKeys.SequencerOwner(NodeKeySeed, Config.ChainId, s.Id);
                    owner = key.Address;
                }
                if (owner is { } o && !allowed.Contains(o)) errors.Add($"Chain:RegistrationWhitelist omits genesis sequencer '{s.Id}''s owner {o}");
            }
        }
        foreach (var v in Validators)
        {
            if (string.IsNullOrWhiteSpace(v.Id) || v.Id.Contains('/') || v.Id.Length > 64) errors.Add($"Genesis:Validators id '{v.Id}' must be 1-64 characters without '/'");
            if (v.BondTokens == 0 || v.BondTokens > MaxTokensPerAccount) errors.Add($"Genesis:Validators '{v.Id}' bond must be between 1 and {MaxTokensPerAccount}");
        }
        foreach (var a in Accounts)
        {
            if (!Core.Primitives.Address.TryParse(a.Address, out _)) errors.Add($"Genesis:Accounts address '{a.Address}' is not a 0x address");
            if (a.Tokens > MaxTokensPerAccount || a.Tkn > MaxTokensPerAccount) errors.Add($"Genesis:Accounts '{a.Address}' must hold at most {MaxTokensPerAccount} tokens of each kind");
            if (Core.Primitives.Address.TryParse(a.Address, out var parsed) && Core.Amm.SystemAddresses.IsSystem(parsed))
                errors.Add($"Genesis:Accounts '{a.Address}' is a system address (the pool is funded by Genesis:PoolNativeTokens/PoolTkn)");
        }
        if (LoadTestAccounts < 0) errors.Add("Genesis:LoadTestAccounts must be >= 0");
        if (string.IsNullOrEmpty(LoadTestSeed)) errors.Add("Genesis:LoadTestSeed must not be empty");
        if (NodeKeySeed is not null && GenesisKeys.NodeKeySeedError(NodeKeySeed) is { } seedError) errors.Add(seedError);
        if (NodeKeySeed is not null && NodeKeySeed == LoadTestSeed) errors.Add("Genesis:NodeKeySeed must differ from the public Genesis:LoadTestSeed");
        foreach (var s in Sequencers)
            if (s.SignerPublicKey is { Length: not Core.Crypto.Ed25519.PublicKeySize })
                errors.Add($"Genesis:Sequencers '{s.Id}' signer public key must be {Core.Crypto.Ed25519.PublicKeySize} bytes");
        foreach (var v in Validators)
            if (v.PublicKey is { Length: not Core.Crypto.Ed25519.PublicKeySize })
                errors.Add($"Genesis:Validators '{v.Id}' public key must be {Core.Crypto.Ed25519.PublicKeySize} bytes");
        return errors;
    }
}

