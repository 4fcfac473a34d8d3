using System.Collections;
using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Abstractions.Security;
using ActorRollup.Audit;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;
using ActorRollup.Harness.Audit;

namespace ActorRollup.IntegrationTests;

/// <summary>
/// Secret node keys (issue 10 point 4, PROTOCOL.md §1): what <c>GetGenesis</c> gives a plain client derives no member
/// key; the load-test accounts still derive from their public seed; the node-key seed alone decides the member keys;
/// the audit and the chain's challenges work from the published keys; a bootstrap request without a usable seed, or
/// naming keys the seed does not derive, is refused and writes nothing.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class GenesisKeyTests(ClusterFixture fixture)
{
    /// <summary>The real member keys of a chain, from the seed only its operator (this test) holds.</summary>
    private sealed record MemberKeys(Dictionary<string, byte[]> Signers, Dictionary<string, Address> Owners, Dictionary<string, byte[]> Validators)
    {
        public static MemberKeys Of(ChainGenesis genesis, string nodeKeySeed)
        {
            var chainId = genesis.Config.ChainId;
            var keys = new MemberKeys([], [], []);
            foreach (var s in genesis.Sequencers)
            {
                using var signer = GenesisKeys.SequencerSigner(nodeKeySeed, chainId, s.Id);
                using var owner = GenesisKeys.SequencerOwner(nodeKeySeed, chainId, s.Id);
                keys.Signers[s.Id] = signer.PublicKey;
                keys.Owners[s.Id] = owner.Address;
            }
            foreach (var v in genesis.Validators)
            {
                using var key = GenesisKeys.Validator(nodeKeySeed, chainId, v.Id);
                keys.Validators[v.Id] = key.PublicKey;
            }
            return keys;
        }

        /// <summary>The members whose key <paramref name="candidate"/>, taken as a seed, derives.</summary>
        public IEnumerable<string> DerivedBy(string candidate, string chainId)
        {
            foreach (var (id, real) in Signers)
            {
                using var signer = SigningKey.Derive($"{candidate}/{chainId}/signer/{id}", 0);
                using var owner = SigningKey.Derive($"{candidate}/{chainId}/owner/{id}", 0);
                if (signer.PublicKey.AsSpan().SequenceEqual(real)) yield return $"signer of {id}";
                if (owner.Address == Owners[id]) yield return $"owner of {id}";
            }
            foreach (var (id, real) in Validators)
            {
                using var key = SigningKey.Derive($"{candidate}/{chainId}/validator/{id}", 0);
                if (key.PublicKey.AsSpan().SequenceEqual(real)) yield return $"validator {id}";
            }
        }
    }

    /// <summary>Every string a value holds (properties, arrays, nested records), byte arrays as hex, and each prefix
    /// before a '/' — whatever a client could try as a seed.</summary>
    private static HashSet<string> Strings(object? value)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        void Walk(object? v, int depth)
        {
            if (v is null || depth > 8) return;
            switch (v)
            {
                case string s:
                    found.Add(s);
                    for (int i = s.IndexOf('/'); i > 0; i = s.IndexOf('/', i + 1)) found.Add(s[..i]);
                    return;
                case byte[] bytes:
                    found.Add(Convert.ToHexStringLower(bytes));
                    found.Add("0x" + Convert.ToHexStringLower(bytes));
                    return;
                case Address a:
                    found.Add(a.ToString());
                    return;
                case IEnumerable items:
                    foreach (var item in items) Walk(item, depth + 1);
                    return;
            }
            var type = v.GetType();
            if (type.IsPrimitive || type.IsEnum || v is decimal || !seen.Add(v)) return;
            foreach (var p in type.GetProperties().Where(p => p.GetIndexParameters().Length == 0)) Walk(p.GetValue(v), depth + 1);
        }
        Walk(value, 0);
        return found;
    }

    [Fact]
    public async Task GetGenesis_from_a_plain_client_reveals_no_seed_of_any_member_key_and_publishes_their_public_keys()
    {
        var chain = await TestChain.Start(fixture.Client, "keys-public");
        try
        {
            await chain.WaitForHeight(2);
            var real = MemberKeys.Of(chain.Genesis, chain.NodeKeySeed);

            // A plain client: no operator key, no internal key.
            var published = await fixture.Client.Chain(chain.Id).GetGenesis();
            Assert.NotNull(published);
            Assert.Null(published.NodeKeySeed);

            // No string in it, nor any prefix of one, derives any member key.
            var candidates = Strings(published);
            Assert.Contains(published.LoadTestSeed, candidates);
            var derived = candidates.SelectMany(c => real.DerivedBy(c, chain.Id).Select(m => $"'{c}' derives the {m}")).ToList();
            Assert.True(derived.Count == 0, string.Join("\n", derived));

            // In their place, the public facts: each sequencer's signer key and owner, each validator's key — the keys the
            // members really use (the sequencers' own views agree).
            foreach (var s in published.Sequencers)
            {
                Assert.Equal(real.Signers[s.Id], s.SignerPublicKey);
                Assert.Equal(real.Owners[s.Id], s.Owner);
                var view = await chain.Sequencer(s.Id).GetView();
                Assert.Equal(Convert.ToHexStringLower(real.Signers[s.Id]), view.SignerPublicKey);
                Assert.Equal(real.Owners[s.Id], view.Owner);
            }
            foreach (var v in published.Validators) Assert.Equal(real.Validators[v.Id], v.PublicKey);
        }
        finally
        {
            using (TestCallers.AsOperator()) await chain.Rotation.Retire();
        }
    }

    [Fact]
    public async Task Load_test_accounts_derive_from_the_public_load_test_seed_and_a_client_can_sign_for_them()
    {
        var chain = await TestChain.Start(fixture.Client, "keys-loadtest", loadTestSeed: "keys-loadtest/public");
        try
        {
            var published = (await fixture.Client.Chain(chain.Id).GetGenesis())!;
            Assert.Equal("keys-loadtest/public", published.LoadTestSeed);
            // Account i is SigningKey.Derive(LoadTestSeed, i), funded at genesis.
            using var from = SigningKey.Derive(published.LoadTestSeed, 3);
            using var to = SigningKey.Derive(published.LoadTestSeed, 4);
            var accounts = await chain.Chain.GetAccounts([from.Address, to.Address]);
            Assert.All(accounts, a => Assert.Equal(Token.FromTokens(published.LoadTestAccountTokens), a.Balance));

            var tx = Transaction.Create(from, chain.Id, to.Address, 7, 0, chain.Config.MinGasPrice);
            var admitted = await chain.Admission.Submit([tx.Encoded]);
            Assert.Equal(AdmissionReason.Ok, admitted[0].Reason);
            await chain.WaitForLevel(tx.Hash, TxLevel.SoftConfirmed);
        }
        finally
        {
            using (TestCallers.AsOperator()) await chain.Rotation.Retire();
        }
    }

    [Fact]
    public async Task Chains_with_the_same_public_seed_and_different_node_seeds_share_load_test_accounts_but_no_member_key()
    {
        // Offline, one chain id: the node-key seed alone decides the member keys; the load-test state is the same.
        var config = new ChainConfig { ChainId = "keys-same-id" };
        ChainGenesis Request(string nodeKeySeed) => new()
        {
            Config = config,
            Sequencers = [new("seq-000", 30_000), new("seq-001", 28_000)],
            Validators = [new("val-00", 10_000)],
            LoadTestAccounts = 4,
            LoadTestSeed = "shared/loadtest",
            NodeKeySeed = nodeKeySeed,
        };
        var a = GenesisKeys.Publish(Request(GenesisKeys.NewNodeKeySeed())).View!;
        var b = GenesisKeys.Publish(Request(GenesisKeys.NewNodeKeySeed())).View!;
        Assert.Equal(GenesisBuilder.BuildState(a).Root, GenesisBuilder.BuildState(b).Root);
        AssertNoSharedMemberKey(a, b);

        // Live: two chains, one public seed, their own node seeds.
        var first = await TestChain.Start(fixture.Client, "keys-twin", loadTestSeed: "keys-twin/shared", nodeKeySeed: GenesisKeys.NewNodeKeySeed());
        var second = await TestChain.Start(fixture.Client, "keys-twin", loadTestSeed: "keys-twin/shared", nodeKeySeed: GenesisKeys.NewNodeKeySeed());
        try
        {
            var pa = (await first.Chain.GetGenesis())!;
            var pb = (await second.Chain.GetGenesis())!;
            AssertNoSharedMemberKey(pa, pb);
            Assert.Equal(first.Account(5).Address, second.Account(5).Address);
            Assert.Equal((await first.Chain.GetAccounts([first.Account(5).Address]))[0].Balance,
                (await second.Chain.GetAccounts([second.Account(5).Address]))[0].Balance);
            // Each produces blocks with its own keys.
            await Task.WhenAll(first.WaitForHeight(2), second.WaitForHeight(2));
        }
        finally
        {
            using (TestCallers.AsOperator()) await Task.WhenAll(first.Rotation.Retire(), second.Rotation.Retire());
        }
    }

    private static void AssertNoSharedMemberKey(ChainGenesis a, ChainGenesis b)
    {
        var keysA = a.Sequencers.SelectMany(s => new[] { Convert.ToHexString(s.SignerPublicKey!), s.Owner!.Value.ToString() })
            .Concat(a.Validators.Select(v => Convert.ToHexString(v.PublicKey!))).ToHashSet();
        var keysB = b.Sequencers.SelectMany(s => new[] { Convert.ToHexString(s.SignerPublicKey!), s.Owner!.Value.ToString() })
            .Concat(b.Validators.Select(v => Convert.ToHexString(v.PublicKey!))).ToHashSet();
        Assert.Equal(2 * a.Sequencers.Length + a.Validators.Length, keysA.Count);
        Assert.Empty(keysA.Intersect(keysB));
    }

    [Fact]
    public async Task The_audit_and_a_challenge_work_from_the_published_keys_alone()
    {
        var chain = await TestChain.Start(fixture.Client, "keys-audit");
        try
        {
            await chain.WaitForHeight(2);
            // A wrong state root: a validator challenges (its proof is checked against its published key), the chain
            // rolls back and pays the reporters.
            var byzantine = (await chain.Rotation.GetCurrent())!;
            using (TestCallers.AsOperator()) await chain.Sequencer(byzantine.LeaderId).InjectFault(new SequencerFault(SequencerFaultKind.WrongStateRoot));
            var tx = chain.Transfer(1, 2, 5);
            Assert.Equal(AdmissionReason.Ok, (await chain.Submit(tx))[0].Reason);
            await Poll.Until(() => chain.Chain.GetRollbacks(), r => r.Length > 0, TimeSpan.FromSeconds(30), "a rollback");
            await chain.WaitForLevel(tx.Hash, TxLevel.Validated, seconds: 60);

            // An audit of a moving chain may give up catching its live state (no supply, no rollbacks read) on a
            // loaded machine: audited again until one has it.
            var report = await Poll.Until(() => new ChainAuditor(fixture.Client).AuditAsync(chain.Id), r => r.SupplyConserved is not null,
                TimeSpan.FromSeconds(60), "an audit that read the live state");
            Assert.True(report.Passed, string.Join("\n", report.Violations));
            Assert.True(report.Rollbacks >= 1);
        }
        finally
        {
            using (TestCallers.AsOperator()) await chain.Rotation.Retire();
        }

        // The replay trusts the published keys, not a derivation: swap one published signer key and that sequencer's
        // blocks no longer verify; publish none and it is reported.
        var published = (await chain.Chain.GetGenesis())!;
        var head = await chain.Chain.GetHead();
        var history = new AuditHistory();
        history.MergeTerms(await chain.Rotation.GetTerms());
        // Epoch 1's committee is left to the genesis: the replay builds it from the published signer keys.
        for (ulong e = 2; e <= head.Epoch; e++) history.Committees[e] = await chain.Rotation.GetCommittee(e);
        var blocks = new List<CommittedBlock>();
        for (ulong h = 1; h <= head.Height; h++) blocks.Add((await chain.Chain.GetCommittedBlock(h))!);
        AuditReason[] Replay(ChainGenesis genesis)
        {
            var replay = new ChainReplay(genesis, history);
            foreach (var b in blocks) replay.Apply(b);
            return replay.Report([], null, [], 0).Violations.Select(v => v.Reason).Distinct().ToArray();
        }
        var keyReasons = new[] { AuditReason.BadProposerSignature, AuditReason.BadCertificate, AuditReason.CommitteeMismatch };
        Assert.Empty(Replay(published).Intersect(keyReasons));
        var proposer = blocks[0].Block.Header.ProposerId;
        using var stranger = SigningKey.Generate();
        var swapped = published with
        {
            Sequencers = published.Sequencers.Select(s => s.Id == proposer ? s with { SignerPublicKey = stranger.PublicKey } : s).ToArray(),
        };
        Assert.Contains(AuditReason.BadProposerSignature, Replay(swapped));
        var unpublished = published with
        {
            Sequencers = published.Sequencers.Select(s => s.Id == proposer ? s with { SignerPublicKey = null } : s).ToArray(),
        };
        Assert.Contains(AuditReason.CommitteeMismatch, Replay(unpublished));
    }

    [Fact]
    public async Task A_bootstrap_request_without_a_usable_node_key_seed_or_naming_keys_it_does_not_derive_is_refused_and_writes_nothing()
    {
        ChainGenesis Request(string? nodeKeySeed, Func<ChainGenesis, ChainGenesis>? change = null)
        {
            var genesis = new ChainGenesis
            {
                Config = TestChain.FastConfig("keys-refused"),
                Sequencers = [new("seq-000", 30_000), new("seq-001", 28_000), new("seq-002", 26_000)],
                Validators = [new("val-00", 10_000)],
                LoadTestAccounts = 4,
                LoadTestSeed = "keys-refused/loadtest",
                NodeKeySeed = nodeKeySeed,
            };
            return change is null ? genesis : change(genesis);
        }
        using var stranger = SigningKey.Generate();
        var cases = new (string What, ChainGenesis Request, string Detail)[]
        {
            ("no seed", Request(null), "Genesis:NodeKeySeed is missing"),
            ("a short seed", Request("short"), $"at least {GenesisKeys.MinNodeKeySeedLength} characters"),
            ("the public seed as the secret", Request("keys-refused/loadtest"), "must differ from the public Genesis:LoadTestSeed"),
            ("a foreign signer key", Request(GenesisKeys.NewNodeKeySeed(), g => g with
            {
                Sequencers = g.Sequencers.Select((s, i) => i == 1 ? s with { SignerPublicKey = stranger.PublicKey } : s).ToArray(),
            }), "'seq-001' names a signer public key the node-key seed does not derive"),
            ("a foreign owner", Request(GenesisKeys.NewNodeKeySeed(), g => g with
            {
                Sequencers = g.Sequencers.Select((s, i) => i == 2 ? s with { Owner = stranger.Address } : s).ToArray(),
            }), "'seq-002' names an owner the node-key seed does not derive"),
            ("a foreign validator key", Request(GenesisKeys.NewNodeKeySeed(), g => g with
            {
                Validators = [g.Validators[0] with { PublicKey = stranger.PublicKey }],
            }), "'val-00' names a public key the node-key seed does not derive"),
        };
        foreach (var (what, request, detail) in cases)
        {
            var grain = fixture.Client.Chain(request.Config.ChainId);
            AppendResult result;
            using (TestCallers.AsOperator()) result = await grain.Bootstrap(request);
            Assert.True(result.Reason == ChainReason.InvalidGenesis, $"{what}: {result.Reason} {result.Detail}");
            Assert.Contains(detail, result.Detail);
            // Nothing was written: no genesis, no validator initialized, no genesis owner funded.
            Assert.Null(await grain.GetGenesis());
            Assert.Equal(UInt128.Zero, (await fixture.Client.Validator(request.Config.ChainId, "val-00").GetView()).Bond);
            if (request.NodeKeySeed is { Length: >= GenesisKeys.MinNodeKeySeedLength } seed)
            {
                using var owner = GenesisKeys.SequencerOwner(seed, request.Config.ChainId, "seq-000");
                Assert.Equal(UInt128.Zero, (await fixture.Client.Staker(request.Config.ChainId, owner.Address).GetView()).Balance);
            }
        }
    }

    [Fact]
    public async Task A_validator_refuses_a_signing_seed_that_is_not_its_published_key()
    {
        var published = GenesisKeys.Publish(new ChainGenesis
        {
            Config = TestChain.FastConfig("keys-validator"),
            Sequencers = [new("seq-000", 30_000)],
            Validators = [new("val-00", 10_000)],
            LoadTestAccounts = 1,
            NodeKeySeed = GenesisKeys.NewNodeKeySeed(),
        }).View!;
        var validator = fixture.Client.Validator(published.Config.ChainId, "val-00");
        using (TestCallers.AsInternal())
        {
            var refused = await Assert.ThrowsAsync<CallRefusedException>(() =>
                validator.Initialize(published.Config, published, 10_000, GenesisKeys.ValidatorSeed(GenesisKeys.NewNodeKeySeed(), published.Config.ChainId, "val-00")));
            Assert.Equal(CallRefusal.KeyMismatch, refused.Reason);
            refused = await Assert.ThrowsAsync<CallRefusedException>(() => validator.Initialize(published.Config, published, 10_000, [1, 2, 3]));
            Assert.Equal(CallRefusal.KeyMismatch, refused.Reason);
        }
        Assert.Equal(UInt128.Zero, (await validator.GetView()).Bond);
    }
}
