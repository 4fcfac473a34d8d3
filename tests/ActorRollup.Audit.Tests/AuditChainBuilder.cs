using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Execution;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Scheduling;
using ActorRollup.Core.State;
using ActorRollup.Core.Transactions;
using ActorRollup.Audit;

namespace ActorRollup.Audit.Tests;

/// <summary>
/// Builds a small chain by hand, block by block, exactly as the protocol makes one — genesis keys, the genesis committee,
/// the weighted-round-robin schedule, executed state roots, proposer signatures, full certificates — so an audit test can
/// start from a chain that passes and change one thing (through <see cref="Spec"/>) to see the audit catch it.
/// </summary>
internal sealed class AuditChainBuilder
{
    public const string ChainId = "audit-test";
    public const ulong EpochLength = 4;

    private readonly Dictionary<string, SigningKey> _signers = new(StringComparer.Ordinal);
    private readonly SigningKey[] _accounts;
    private readonly ulong[] _nonces;
    private StateTree _state;
    private Hash32 _head;
    private ulong _arrival;

    public AuditChainBuilder(int epochs = 3)
    {
        var config = new ChainConfig { ChainId = ChainId, EpochLength = EpochLength, CommitteeSize = 4, BatchSize = 2 };
        var request = new ChainGenesis
        {
            Config = config,
            // No member holds a third of the power: three signatures of four are a quorum, two are not.
            Sequencers = [new("seq-000", 30_000), new("seq-001", 28_000), new("seq-002", 26_000), new("seq-003", 24_000)],
            Validators = [new("val-00", 10_000)],
            LoadTestAccounts = 6,
            LoadTestAccountTokens = 1_000,
            LoadTestSeed = "audit/loadtest",
            NodeKeySeed = NodeKeySeed,
            GenesisTimeMs = 1_700_000_000_000,
        };
        // The audit sees what a client sees: the published genesis, with the members' public keys and no seed.
        Genesis = GenesisKeys.Publish(request).View!;
        foreach (var s in Genesis.Sequencers) _signers[s.Id] = GenesisKeys.SequencerSigner(NodeKeySeed, ChainId, s.Id);
        Committee = CommitteeSelector
            .Select(Genesis.Sequencers.Select(s => new SequencerStanding(s.Id, Token.FromTokens(s.StakeTokens), true)), config.CommitteeSize)
            .Select(m => new CommitteeSeat(m.Id, _signers[m.Id].PublicKey, m.Power))
            .ToArray();
        Schedule = LeaderSchedule.Compute(ScheduleAlgorithm.WeightedRoundRobin, Committee.Select(s => new CommitteeMember(s.Id, s.Power)).ToList(), epochs, 0);
        for (ulong e = 1; e <= (ulong)epochs; e++)
        {
            History.Committees[e] = Committee;
            History.Terms[e] = new TermInfo(e, Schedule[(int)e - 1], e, (e - 1) * EpochLength + 1, e * EpochLength);
        }
        _accounts = Core.Execution.Genesis.LoadTestKeys(Genesis.LoadTestSeed, Genesis.LoadTestAccounts);
        _nonces = new ulong[_accounts.Length];
        _state = GenesisBuilder.BuildState(Genesis);
        _head = GenesisBuilder.Header(Genesis, _state.Root).Hash;
    }

    /// <summary>The secret the members' keys derive from (the builder signs as them; the audit never sees it).</summary>
    public const string NodeKeySeed = "audit-node-key-seed-0001";

    /// <summary>The published genesis (<see cref="GenesisKeys.Publish"/>): what the audit replays from.</summary>
    public ChainGenesis Genesis { get; }
    public AuditHistory History { get; } = new();
    public CommitteeSeat[] Committee { get; }
    public IReadOnlyList<string> Schedule { get; }
    public List<CommittedBlock> Blocks { get; } = [];
    public List<UInt128> Fees { get; } = [];
    public SigningKey Signer(string id) => _signers[id];

    /// <summary>Replaces the term history (term numbers consecutive, as rotation keeps them).</summary>
    public void SetTerms(params TermInfo[] terms)
    {
        History.Terms.Clear();
        History.MergeTerms(terms);
    }

    /// <summary>A signed transfer from load-test account <paramref name="from"/> with its next nonce (or <paramref name="nonce"/>).</summary>
    public Transaction Transfer(int from, int to, UInt128 value, ulong? nonce = null)
    {
        var n = nonce ?? _nonces[from]++;
        return Transaction.Create(_accounts[from], ChainId, _accounts[to].Address, value, n, Genesis.Config.MinGasPrice);
    }

    /// <summary>Everything about the next block that a test may change before it is signed.</summary>
    public sealed class Spec
    {
        public required List<BlockEntry> Entries { get; set; }
        public ulong Epoch { get; set; }
        public ulong Term { get; set; }
        public required string Proposer { get; set; }
        public Hash32? Parent { get; set; }
        public Hash32? StateRoot { get; set; }
        public Hash32? TxRoot { get; set; }
        public required List<string> Attesters { get; set; }
        /// <summary>Keys that sign in place of a member's own (a forged attestation).</summary>
        public Dictionary<string, SigningKey> ForgedKeys { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>Appends the next block with <paramref name="txs"/> (arrival sequences in order), changed by <paramref name="tweak"/>.</summary>
    public CommittedBlock Add(IEnumerable<Transaction> txs, Action<Spec>? tweak = null)
    {
        var height = (ulong)Blocks.Count + 1;
        var epoch = (height - 1) / EpochLength + 1;
        var term = History.Terms.Values.Where(t => t.Epoch == epoch && t.FirstHeight <= height && height <= t.LastHeight).MaxBy(t => t.Term)!;
        var spec = new Spec
        {
            Entries = txs.Select(tx => new BlockEntry(tx, ++_arrival)).ToList(),
            Epoch = epoch,
            Term = term.Term,
            Proposer = term.LeaderId,
            Attesters = Committee.Select(s => s.Id).ToList(),
        };
        tweak?.Invoke(spec);
        var result = BlockExecutor.Execute(_state, spec.Entries.Select(e => e.Transaction).ToList(), null, new ActorRollup.Core.ChainParameters { ChainId = ChainId });
        var header = new BlockHeader(ChainId, height, spec.Epoch, spec.Term, spec.Parent ?? _head, spec.TxRoot ?? TxRoot.Compute(spec.Entries),
            spec.StateRoot ?? result.PostState.Root, Genesis.GenesisTimeMs + (long)height * 100, spec.Proposer, default);
        var block = new Block(new SignedHeader(header, Signing.SignProposal(_signers[spec.Proposer], header.Hash)), spec.Entries);
        var certificate = new QuorumCertificate(header.Hash, spec.Attesters
            .Select(id => new CommitteeSignature(id, Signing.SignAttestation(spec.ForgedKeys.GetValueOrDefault(id) ?? _signers[id], header.Hash)))
            .ToList());
        _state = result.PostState;
        _head = header.Hash;
        var committed = new CommittedBlock(block, certificate, header.TimestampMs);
        Blocks.Add(committed);
        Fees.Add(result.TotalFees);
        return committed;
    }

    public CommittedBlock Add(params Transaction[] txs) => Add(txs, null);

    /// <summary>Empty blocks up to <paramref name="height"/>.</summary>
    public void FillTo(ulong height)
    {
        while ((ulong)Blocks.Count < height) Add();
    }

    public ChainReplay Replay()
    {
        var replay = new ChainReplay(Genesis, History);
        foreach (var b in Blocks) replay.Apply(b);
        return replay;
    }

    /// <summary>The live state an honest chain at this head would show with blocks 1..<paramref name="finalized"/> final:
    /// balanced supply, each proposer's pool minted and paid for its finalized blocks.</summary>
    public LiveChainState Live(ChainReplay replay, ulong finalized = 0)
    {
        var genesisL2 = Core.Execution.Genesis.TotalBalance(GenesisBuilder.BuildState(Genesis));
        var l2 = Core.Execution.Genesis.TotalBalance(replay.State);
        var reward = Genesis.Config.ToStakingParameters().RewardPerBlock;
        UInt128 inFlight = 0, finalFees = 0, minted = 0;
        var pools = Committee.ToDictionary(s => s.Id, _ => new PoolSupply(0, 0, 0, 0, 0, 0, 0), StringComparer.Ordinal);
        for (int i = 0; i < Blocks.Count; i++)
        {
            if ((ulong)i + 1 > finalized)
            {
                inFlight += Fees[i];
                continue;
            }
            var proposer = Blocks[i].Block.Header.ProposerId;
            var pool = pools[proposer];
            pools[proposer] = pool with { Minted = pool.Minted + reward, FeesIn = pool.FeesIn + Fees[i], RewardPool = pool.RewardPool + reward + Fees[i] };
            finalFees += Fees[i];
            minted += reward;
        }
        var supply = new SupplyAudit(l2, inFlight, replay.GenesisSupply - genesisL2, 0, 0, minted + finalFees, 0, 0, replay.GenesisSupply, minted, 0);
        var last = Blocks.Count == 0 ? null : Blocks[^1].Block.Header;
        var head = new ChainHead(replay.Height, replay.HeadHash, replay.State.Root, last?.Epoch ?? 0, last?.Term ?? 0, replay.Height, finalized);
        return new LiveChainState(head, supply, [], pools);
    }
}
