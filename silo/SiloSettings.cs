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
    /// <summary>Localhost (default, no setup: instance 0 is the primary the others join) or Redis (membership in
    /// Redis: any silo may start first, any may die).</summary>
    public string Clustering { get; set; } = "Localhost";
    /// <summary>Memory (default, no setup; state lives in the silo that holds it) or Redis (durable: survives a silo
    /// kill and a full restart). Reminders follow the same choice.</summary>
    public string Storage { get; set; } = "Memory";
    /// <summary>StackExchange.Redis connection string (host:port[,options]) used when Clustering or Storage is Redis.</summary>
    public string Redis { get; set; } = "127.0.0.1:6379";
    /// <summary>How long a silo may miss membership probes before the others declare it dead (seconds; Orleans'
    /// default is about 10 s — a killed silo's grains are unreachable until then).</summary>
    public int ProbeTimeoutSeconds { get; set; } = 1;
    /// <summary>The IP address the silo port and the gateway port listen on (default 127.0.0.1; 0.0.0.0 = every
    /// interface of the host). Only with Redis clustering may it be other than loopback (Localhost clustering is one
    /// machine by definition).</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";
    /// <summary>The IP address the silo advertises in the membership table, the one other silos and clients dial.
    /// Empty = <see cref="ListenAddress"/>; required (a concrete address) when listening on 0.0.0.0 or ::.</summary>
    public string AdvertisedAddress { get; set; } = "";
    /// <summary>The operator key (docs/SECURITY.md, secret): operator calls (bootstrap, fault injection, retire) must
    /// present it, and when <c>Genesis:NodeKeySeed</c> is not set the configured chain's member keys derive from it
    /// (GenesisKeys). Empty = the key in <see cref="OperatorKeyFile"/>, created with a random key when absent. Keep it out of
    /// appsettings.json: set it through the environment (ACTORROLLUP_Cluster__OperatorKey) or the key file.</summary>
    public string OperatorKey { get; set; } = "";
    /// <summary>File holding the operator key; empty = ~/.actorrollup/operator.key (or $ACTORROLLUP_HOME/operator.key).</summary>
    public string OperatorKeyFile { get; set; } = "";
    /// <summary>The key the silos stamp on their grains' calls to one another; empty = derived from the operator key.
    /// Every silo of a cluster must have the same operator key (or the same internal key).</summary>
    public string InternalKey { get; set; } = "";

    /// <summary>The operator key this process uses (<see cref="Abstractions.Security.OperatorKeys.Resolve"/>).</summary>
    public string? ResolveOperatorKey(bool create) =>
        Abstractions.Security.OperatorKeys.Resolve(OperatorKey, OperatorKeyFile, create);
    /// <summary>The region this silo is (docs/CLUSTER.md, "Regions"): put into the silo's Orleans metadata, so members the
    /// network model puts in this region are placed on it. Empty = no region. With a network model it must be one of
    /// the model's regions.</summary>
    public string Region { get; set; } = "";
    /// <summary>Mutual TLS on every connection (section Cluster:Tls; off by default).</summary>
    public Tls.TlsSettings Tls { get; set; } = new();

    public bool RedisClustering => string.Equals(Clustering, "Redis", StringComparison.OrdinalIgnoreCase);
    public bool RedisStorage => string.Equals(Storage, "Redis", StringComparison.OrdinalIgnoreCase);

    public int EffectiveSiloPort => SiloPort + Instance;

    /// <summary>The parsed <see cref="ListenAddress"/> (valid settings only).</summary>
    public System.Net.IPAddress ListenIp => System.Net.IPAddress.Parse(ListenAddress);
    /// <summary>The address advertised in membership: <see cref="AdvertisedAddress"/>, else the listen address.</summary>
    public System.Net.IPAddress AdvertisedIp => string.IsNullOrWhiteSpace(AdvertisedAddress) ? ListenIp : System.Net.IPAddress.Parse(AdvertisedAddress);
    /// <summary>Listening on every interface (0.0.0.0 or ::) rather than on one address.</summary>
    public bool ListensOnAny => ListenIp.Equals(System.Net.IPAddress.Any) || ListenIp.Equals(System.Net.IPAddress.IPv6Any);
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
        if (!RedisClustering && !string.Equals(Clustering, "Localhost", StringComparison.OrdinalIgnoreCase))
            errors.Add($"Cluster:Clustering '{Clustering}' is not supported (Localhost or Redis)");
        if (!RedisStorage && !string.Equals(Storage, "Memory", StringComparison.OrdinalIgnoreCase))
            errors.Add($"Cluster:Storage '{Storage}' is not supported (Memory or Redis)");
        if ((RedisClustering || RedisStorage) && !IsRedisConnectionString(Redis))
            errors.Add($"Cluster:Redis '{Redis}' is not a Redis connection string (host:port[,option=value...])");
        if (OperatorKey.Length is > 0 and < Abstractions.Security.OperatorKeys.MinLength)
            errors.Add($"Cluster:OperatorKey must be at least {Abstractions.Security.OperatorKeys.MinLength} characters");
        if (InternalKey.Length is > 0 and < Abstractions.Security.OperatorKeys.MinLength)
            errors.Add($"Cluster:InternalKey must be at least {Abstractions.Security.OperatorKeys.MinLength} characters");
        if (ProbeTimeoutSeconds is < 1 or > 60) errors.Add("Cluster:ProbeTimeoutSeconds must be between 1 and 60");
        errors.AddRange(AddressErrors());
        if (Region.Length > 0 && !Core.Network.LatencyMatrix.IsRegionName(Region))
            errors.Add($"Cluster:Region '{(Region.Length > 40 ? Region[..40] + "…" : Region)}' is not a region name (1..40 letters, digits, '-', '_', '.')");
        errors.AddRange(Tls.Validate());
        return errors;
    }

    private IEnumerable<string> AddressErrors()
    {
        if (!System.Net.IPAddress.TryParse(ListenAddress ?? "", out var listen))
        {
            yield return $"Cluster:ListenAddress '{ListenAddress}' is not an IP address (e.g. 127.0.0.1, 10.0.0.5 or 0.0.0.0)";
            yield break;
        }
        var anyListen = listen.Equals(System.Net.IPAddress.Any) || listen.Equals(System.Net.IPAddress.IPv6Any);
        System.Net.IPAddress? advertised = null;
        if (!string.IsNullOrWhiteSpace(AdvertisedAddress) && !System.Net.IPAddress.TryParse(AdvertisedAddress, out advertised))
            yield return $"Cluster:AdvertisedAddress '{AdvertisedAddress}' is not an IP address";
        else if (advertised is not null && (advertised.Equals(System.Net.IPAddress.Any) || advertised.Equals(System.Net.IPAddress.IPv6Any)))
            yield return "Cluster:AdvertisedAddress must be an address others can dial, not 0.0.0.0 or ::";
        else if (advertised is null && anyListen)
            yield return "Cluster:AdvertisedAddress is required when Cluster:ListenAddress is 0.0.0.0 or :: (the address the other silos and clients dial)";
        else if (advertised is not null && !anyListen && !advertised.Equals(listen) && System.Net.IPAddress.IsLoopback(listen) != System.Net.IPAddress.IsLoopback(advertised))
            yield return $"Cluster:AdvertisedAddress {advertised} cannot reach a silo listening only on {listen}";
        if (!RedisClustering && (!listen.Equals(System.Net.IPAddress.Loopback) || (advertised is not null && !advertised.Equals(System.Net.IPAddress.Loopback))))
            yield return "Cluster:ListenAddress and Cluster:AdvertisedAddress other than 127.0.0.1 need Cluster:Clustering Redis (Localhost clustering is one machine, on 127.0.0.1)";
    }

    private static bool IsRedisConnectionString(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return false;
        try
        {
            return StackExchange.Redis.ConfigurationOptions.Parse(text).EndPoints.Count > 0;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

/// <summary>One <c>Genesis:Accounts</c> entry: an address, its native balance in whole tokens and its TKN (the second token).</summary>
public sealed class GenesisAccountSetting
{
    public string? Address { get; set; }
    public ulong Tokens { get; set; }
    public ulong Tkn { get; set; }
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
    /// <summary>Load-test accounts with secp256k1 keys derived from <see cref="LoadTestSeed"/> (Ethereum-format traffic).</summary>
    public int LoadTestEthAccounts { get; set; } = 1_000;
    public ulong LoadTestAccountTokens { get; set; } = 1_000_000;
    /// <summary>Whole TKN (the second token, PROTOCOL.md §12) each load-test account of both kinds holds.</summary>
    public ulong LoadTestAccountTkn { get; set; } = 1_000_000;
    /// <summary>The constant-product pool's genesis reserves in whole tokens (both 0: no pool).</summary>
    public ulong PoolNativeTokens { get; set; } = 100_000;
    public ulong PoolTkn { get; set; } = 100_000_000;
    /// <summary>Accounts funded at genesis: <c>Genesis:Accounts:0:Address</c> (0x, 20 bytes) and <c>…:Tokens</c> (whole tokens).</summary>
    public GenesisAccountSetting[] Accounts { get; set; } = [];
    /// <summary>The public seed of the load-test accounts (the harness signs for them with it).</summary>
    public string LoadTestSeed { get; set; } = Abstractions.Config.ChainGenesis.DefaultLoadTestSeed;
    /// <summary>The secret seed of the genesis members' keys (sequencer signers and owners, validators). When absent it
    /// derives from <c>Cluster:OperatorKey</c> and the chain id, so the operator's tools can sign as genesis owners; with
    /// neither, a fresh random seed (no tool can then act as a genesis owner).</summary>
    public string? NodeKeySeed { get; set; }

    /// <summary>The genesis of the configured chain, with its node-key seed (<see cref="NodeKeySeed"/>, else derived from
    /// <paramref name="operatorKey"/>, else random).</summary>
    public Abstractions.Config.ChainGenesis ToGenesis(Abstractions.Config.ChainConfig config, long genesisTimeMs, string? operatorKey)
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
            LoadTestEthAccounts = LoadTestEthAccounts,
            LoadTestAccountTokens = LoadTestAccountTokens,
            LoadTestAccountTkn = LoadTestAccountTkn,
            PoolNativeTokens = PoolNativeTokens,
            PoolTkn = PoolTkn,
            Accounts = Accounts.Select(a => new Abstractions.Config.GenesisFunding(a.Address ?? "", a.Tokens) { Tkn = a.Tkn }).ToArray(),
            LoadTestSeed = LoadTestSeed,
            NodeKeySeed = Abstractions.Config.GenesisKeys.NodeKeySeedFor(config.ChainId, NodeKeySeed, operatorKey)
                          ?? Abstractions.Config.GenesisKeys.NewNodeKeySeed(),
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
        if (LoadTestEthAccounts < 0) errors.Add("Genesis:LoadTestEthAccounts must be >= 0");
        for (int i = 0; i < Accounts.Length; i++)
            if (!Core.Primitives.Address.TryParse(Accounts[i].Address, out _))
                errors.Add($"Genesis:Accounts:{i}:Address '{Accounts[i].Address}' is not a 0x address of 20 bytes");
        if (string.IsNullOrEmpty(LoadTestSeed)) errors.Add("Genesis:LoadTestSeed must not be empty");
        if (NodeKeySeed is not null && Abstractions.Config.GenesisKeys.NodeKeySeedError(NodeKeySeed) is { } seedError) errors.Add(seedError);
        return errors;
    }
}
