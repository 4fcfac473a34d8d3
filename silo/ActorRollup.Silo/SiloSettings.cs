namespace ActorRollup.Silo;

/// <summary>Cluster settings (section <c>Cluster</c>). Every setting can also come from the environment
/// (ACTORROLLUP_Cluster__SiloPort) or the command line (--Cluster:SiloPort 11112, or the shortcut --instance 1).</summary>
public sealed class ClusterSettings
{
    /// <summary>Instance number of this silo on the machine: ports are the base ports plus it.</summary>
    public int Instance { get; set; }
    public int SiloPort { get; set; } = 11_111;
    public int GatewayPort { get; set; } = 30_000;
    /// <summary>Silo port of the primary silo (instance 0) that the others join.</summary>
    public int PrimarySiloPort { get; set; } = 11_111;
    public string ServiceId { get; set; } = "actorrollup";
    public string ClusterId { get; set; } = "actorrollup-local";
    /// <summary>Localhost (default, no setup).</summary>
    public string Clustering { get; set; } = "Localhost";
    /// <summary>Memory (default, no setup).</summary>
    public string Storage { get; set; } = "Memory";

    public int EffectiveSiloPort => SiloPort + Instance;
    public int EffectiveGatewayPort => GatewayPort + Instance;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Instance < 0 || Instance > 99) errors.Add("Cluster:Instance must be between 0 and 99");
        if (SiloPort is < 1024 or > 65_000) errors.Add("Cluster:SiloPort must be between 1024 and 65000");
        if (GatewayPort is < 1024 or > 65_000) errors.Add("Cluster:GatewayPort must be between 1024 and 65000");
        if (PrimarySiloPort is < 1024 or > 65_000) errors.Add("Cluster:PrimarySiloPort must be between 1024 and 65000");
        if (string.IsNullOrWhiteSpace(ServiceId)) errors.Add("Cluster:ServiceId must not be empty");
        if (string.IsNullOrWhiteSpace(ClusterId)) errors.Add("Cluster:ClusterId must not be empty");
        if (!string.Equals(Clustering, "Localhost", StringComparison.OrdinalIgnoreCase)) errors.Add($"Cluster:Clustering '{Clustering}' is not supported (Localhost)");
        if (!string.Equals(Storage, "Memory", StringComparison.OrdinalIgnoreCase)) errors.Add($"Cluster:Storage '{Storage}' is not supported (Memory)");
        return errors;
    }
}

/// <summary>The chain bootstrapped at start-up (section <c>Genesis</c>); its protocol parameters are section <c>Chain</c>.</summary>
public sealed class GenesisSettings
{
    /// <summary>Bootstrap the chain when the first silo starts (an existing chain is left as it is).</summary>
    public bool Bootstrap { get; set; } = true;
    public int Sequencers { get; set; } = 8;
    /// <summary>Stakes of the genesis sequencers in whole tokens; empty = distinct defaults within [MinLock, MaxLock].</summary>
    public ulong[] SequencerStakes { get; set; } = [];
    public int Validators { get; set; } = 4;
    public ulong ValidatorBondTokens { get; set; } = 10_000;
    public int LoadTestAccounts { get; set; } = 1_000;
    public ulong LoadTestAccountTokens { get; set; } = 1_000_000;
    public string KeySeed { get; set; } = "actorrollup";

    public Abstractions.Config.ChainGenesis ToGenesis(Abstractions.Config.ChainConfig config, long genesisTimeMs)
    {
        var stakes = SequencerStakes.Length > 0
            ? SequencerStakes
            : Enumerable.Range(0, Sequencers).Select(i => config.MinLockTokens + (ulong)((i * 7_919L) % (long)Math.Max(1, config.MaxLockTokens - config.MinLockTokens))).ToArray();
        return new Abstractions.Config.ChainGenesis
        {
            Config = config,
            Sequencers = stakes.Select((s, i) => new Abstractions.Config.GenesisSequencer($"seq-{i:D3}", s)).ToArray(),
            Validators = Enumerable.Range(0, Validators).Select(i => new Abstractions.Config.GenesisValidator($"val-{i:D2}", ValidatorBondTokens)).ToArray(),
            LoadTestAccounts = LoadTestAccounts,
            LoadTestAccountTokens = LoadTestAccountTokens,
            KeySeed = KeySeed,
            GenesisTimeMs = genesisTimeMs,
        };
    }

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Sequencers < 1 && SequencerStakes.Length == 0) errors.Add("Genesis:Sequencers must be at least 1");
        if (Validators < 1) errors.Add("Genesis:Validators must be at least 1");
        if (ValidatorBondTokens < 1) errors.Add("Genesis:ValidatorBondTokens must be at least 1");
        if (LoadTestAccounts < 0) errors.Add("Genesis:LoadTestAccounts must be >= 0");
        if (string.IsNullOrEmpty(KeySeed)) errors.Add("Genesis:KeySeed must not be empty");
        return errors;
    }
}
