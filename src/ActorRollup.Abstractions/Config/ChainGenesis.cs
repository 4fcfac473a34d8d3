namespace ActorRollup.Abstractions.Config;

/// <summary>A sequencer of the genesis committee. Its signer and owner keys derive from the genesis key seed.</summary>
[GenerateSerializer, Immutable, Alias("ar.GenesisSequencer")]
public sealed record GenesisSequencer(string Id, ulong StakeTokens);

/// <summary>A bonded validator at genesis.</summary>
[GenerateSerializer, Immutable, Alias("ar.GenesisValidator")]
public sealed record GenesisValidator(string Id, ulong BondTokens);

/// <summary>An L2 account funded at genesis (0x address, whole tokens).</summary>
[GenerateSerializer, Immutable, Alias("ar.GenesisFunding")]
public sealed record GenesisFunding(string Address, ulong Tokens);

/// <summary>
/// Everything needed to start a chain: its parameters, the genesis committee and validators, funded accounts,
/// and the deterministic load-test accounts (keys derived from <see cref="KeySeed"/>; see
/// <see cref="GenesisKeys"/>), so a harness that knows the seed can sign for them.
/// </summary>
[GenerateSerializer, Immutable, Alias("ar.ChainGenesis")]
public sealed record ChainGenesis
{
    [Id(0)] public required ChainConfig Config { get; init; }
    [Id(1)] public GenesisSequencer[] Sequencers { get; init; } = [];
    [Id(2)] public GenesisValidator[] Validators { get; init; } = [];
    [Id(3)] public GenesisFunding[] Accounts { get; init; } = [];
    [Id(4)] public string KeySeed { get; init; } = "actorrollup";
    [Id(5)] public int LoadTestAccounts { get; init; } = 1_000;
    [Id(6)] public ulong LoadTestAccountTokens { get; init; } = 1_000_000;
    /// <summary>L1 tokens each sequencer owner holds beyond its genesis self-stake.</summary>
    [Id(7)] public ulong OwnerL1Tokens { get; init; } = 100_000;
    /// <summary>Genesis time (Unix ms) written into block 0.</summary>
    [Id(8)] public long GenesisTimeMs { get; init; }

    /// <summary>A default genesis: 8 sequencers with distinct stakes, 4 validators, funded load-test accounts.</summary>
    public static ChainGenesis Default(ChainConfig config, int sequencers = 8, int validators = 4, int loadTestAccounts = 1_000) => new()
    {
        Config = config,
        Sequencers = Enumerable.Range(0, sequencers).Select(i => new GenesisSequencer($"seq-{i:D3}", 20_000 + (ulong)(i * 7_919 % 80_000))).ToArray(),
        Validators = Enumerable.Range(0, validators).Select(i => new GenesisValidator($"val-{i:D2}", 10_000)).ToArray(),
        LoadTestAccounts = loadTestAccounts,
    };

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>(Config.Validate());
        if (Sequencers.Length == 0) errors.Add("Genesis:Sequencers must list at least one sequencer");
        if (Validators.Length == 0) errors.Add("Genesis:Validators must list at least one validator");
        foreach (var dup in Sequencers.GroupBy(s => s.Id).Where(g => g.Count() > 1)) errors.Add($"Genesis:Sequencers lists '{dup.Key}' twice");
        foreach (var dup in Validators.GroupBy(s => s.Id).Where(g => g.Count() > 1)) errors.Add($"Genesis:Validators lists '{dup.Key}' twice");
        foreach (var s in Sequencers)
        {
            if (string.IsNullOrWhiteSpace(s.Id) || s.Id.Contains('/')) errors.Add($"Genesis:Sequencers id '{s.Id}' must be non-empty without '/'");
            if (s.StakeTokens < Config.MinLockTokens || s.StakeTokens > Config.MaxLockTokens)
                errors.Add($"Genesis:Sequencers '{s.Id}' stake {s.StakeTokens} must be within [{Config.MinLockTokens}, {Config.MaxLockTokens}] tokens");
        }
        foreach (var v in Validators)
        {
            if (string.IsNullOrWhiteSpace(v.Id) || v.Id.Contains('/')) errors.Add($"Genesis:Validators id '{v.Id}' must be non-empty without '/'");
            if (v.BondTokens == 0) errors.Add($"Genesis:Validators '{v.Id}' bond must be > 0");
        }
        foreach (var a in Accounts)
            if (!Core.Primitives.Address.TryParse(a.Address, out _)) errors.Add($"Genesis:Accounts address '{a.Address}' is not a 0x address");
        if (LoadTestAccounts < 0) errors.Add("Genesis:LoadTestAccounts must be >= 0");
        return errors;
    }
}

/// <summary>Deterministic keys of a genesis: the same seed gives the same keys on every machine.</summary>
public static class GenesisKeys
{
    public static Core.Crypto.SigningKey SequencerSigner(string keySeed, string chainId, string sequencerId) =>
        Core.Crypto.SigningKey.Derive($"{keySeed}/{chainId}/signer/{sequencerId}", 0);

    public static Core.Crypto.SigningKey SequencerOwner(string keySeed, string chainId, string sequencerId) =>
        Core.Crypto.SigningKey.Derive($"{keySeed}/{chainId}/owner/{sequencerId}", 0);

    public static Core.Crypto.SigningKey Validator(string keySeed, string chainId, string validatorId) =>
        Core.Crypto.SigningKey.Derive($"{keySeed}/{chainId}/validator/{validatorId}", 0);

    /// <summary>Load-test account <paramref name="index"/> (the seed is shared by every chain of the genesis).</summary>
    public static string LoadTestSeed(string keySeed) => $"{keySeed}/loadtest";
}
