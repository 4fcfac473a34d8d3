using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;
using ActorRollup.Grains.Chain;
using FsCheck;
using FsCheck.Fluent; // the LINQ query over generators
using Xunit.Abstractions;

namespace ActorRollup.IntegrationTests;

// The bad-input and authority matrix (PROTOCOL.md §9, last two rows): every case is refused with its reason
// code and changes nothing. Where a case is tested is below; "here" is this file. Tests on a halted chain (every
// sequencer offline, so no block can be appended) compare the whole chain head — height, hash, state root, epoch, term,
// validated and finalized heights — before and after each refusal; the others compare the state root and what the
// input could have touched. Every staking refusal in StakingTests is checked the same way (its Snapshot: the L2 state
// root, rotation's sequencer registry, the staker's balance, nonce, positions and unlocks, and each pool touched).
//
// | case                                          | code(s)                                   | test |
// |-----------------------------------------------|-------------------------------------------|------|
// | TRANSACTIONS (through the admission grain)    |                                           |      |
// | random bytes, no bytes, a null entry          | BadEncoding                               | AdmissionTests.Malformed_forged_and_out_of_bounds…; here: Transaction_edge_cases… |
// | truncated, trailing byte, unknown version     | BadEncoding                               | AdmissionTests.Malformed_forged_and_out_of_bounds… |
// | oversize (limit + 1, and 1 MiB of noise)      | TooLarge                                  | AdmissionTests.Malformed…; here: Transaction_edge_cases… |
// | wrong chain id (another chain, unknown chain) | WrongChain                                | AdmissionTests.Malformed… |
// | malformed chain id (upper case)               | BadEncoding                               | here: Transaction_edge_cases… |
// | bad signature (flipped bit, edited field,     | BadSignature                              | AdmissionTests.Malformed… |
// |   another key's signature)                    |                                           |      |
// | replayed nonce (committed tx, committed nonce)| Duplicate, NonceUsed                      | AdmissionTests.A_committed_transaction_cannot_be_replayed… |
// | replayed nonce (pending tx, pending nonce)    | Duplicate, NonceUsed                      | AdmissionTests.Pending_transactions_hold…; here: Transaction_edge_cases… |
// | value that overflows                          | AmountOverflow                            | AdmissionTests.Malformed… |
// | fee that overflows (u64 max gas × u64 max     | AmountOverflow (the largest fee alone is  | here: Transaction_edge_cases… |
// |   price, plus a value)                        |   InsufficientBalance)                    |      |
// | gas price under the minimum, or zero          | GasPriceTooLow                            | AdmissionTests.Malformed…; here: Transaction_edge_cases… |
// | mempool at capacity (one at a time)           | MempoolFull; admits again after a block   | AdmissionTests.A_full_mempool_pushes_back… |
// | mempool at capacity (one oversized batch)     | Ok up to capacity, MempoolFull after      | here: One_submission_larger_than_the_mempool… |
// | a null batch                                  | no result (one per input), no exception   | here: Transaction_edge_cases… (fixed: it threw) |
// | thousands of random and mutated encodings     | the core rules' code, or admitted         | here: Thousands_of_random_and_mutated_encodings… (FsCheck) |
// | STAKING (staker grain → sequencer pool →      |                                           |      |
// |   rotation registry; docs/STAKING.md)         |                                           |      |
// | a foreign signature (another staker's action, | BadSignature                              | StakingTests.Every_refused_staking_action… |
// |   another key, edited, another chain)         |                                           |      |
// | an action that cannot have been signed (key   | BadSignature                              | StakingTests.Repeated_replayed_and_malformed… (fixed: it threw) |
// |   of 31 or 0 bytes, over-long id or key)      |                                           |      |
// | below minLock                                 | BelowMinLock                              | StakingTests.Every_refused_staking_action… |
// | above maxLock (registration, delegation)      | AboveMaxLock                              | StakingTests.Every_refused_staking_action… |
// | registering twice (another owner, the owner   | AlreadyRegistered, BadNonce               | StakingTests.Every_refused…, .A_sequencer_registered…, .Repeated_replayed_and_malformed… |
// |   itself, the genesis registration replayed)  |                                           |      |
// | reusing a signer key                          | SignerKeyReused                           | StakingTests.Every_refused…, .A_sequencer_registered… |
// | rotation's registry called directly           | AlreadyRegistered, SignerKeyReused        | StakingTests.Repeated_replayed_and_malformed… |
// | unlocking more than locked                    | UnlockExceedsLocked                       | StakingTests.Every_refused_staking_action… |
// | claiming before the exit delay                | ExitDelayNotPassed                        | StakingTests.Every_refused_staking_action… |
// | PROTOCOL MESSAGES                             |                                           |      |
// | a block from a non-leader / outside the       | NotLeader                                 | AuthorityTests.Blocks_from_a_non_leader…; here: Blocks_without_authority… |
// |   committee                                   |                                           |      |
// | a block from a stale (or not yet begun) term  | StaleTerm                                 | RotationTests.A_crashed_leader…; here: Blocks_without_authority… |
// | the leader's name, another key's signature    | BadProposerSignature                      | AuthorityTests; here: Blocks_without_authority… |
// | a forged attestation (over another block,     | BadCertificate                            | AuthorityTests; here: Blocks_without_authority… |
// |   random bytes, one member's repeated)        |                                           |      |
// | a certificate just under quorum, or empty     | BadCertificate (BelowQuorum)              | AuthorityTests; here: Blocks_without_authority… |
// | a certified leader block out of place (wrong  | WrongHeight, WrongParent, OutsideTerm,    | here: Blocks_without_authority… |
// |   height, parent, epoch, tx root, fee account)|   BadTxRoot, BadFeeRecipient, WrongChain  |      |
// | a batch certificate under quorum or forged    | SettlementReason.BadCertificate           | here: Batches_without_a_committee_quorum… |
// |   (L1 settlement)                             |   (and Mismatch, OutOfOrder, AlreadyPosted)|     |
// | a forged proposal sent to committee members   | AttestReason.NotLeader / BadSignature /   | here: Forged_proposals_get_no_attestation… |
// |                                               |   WrongChain; no equivocation, no halt    |      |
// | a rollback without a successful challenge     | RollbackWithoutProof                      | FraudProofTests.A_false_challenge…; here: Rollbacks_and_challenges… |
// | a challenge the validators reject             | ChallengeRejected (a strike, no rollback) | FraudProofTests.A_false_challenge…; here: Rollbacks_and_challenges… |
// | a challenge against a finalized block         | BlockFinalized                            | AuthorityTests.A_challenge_against_a_finalized_block…; here: Rollbacks_and_challenges… |
// | an unsigned / unknown / misdirected challenge | BadEvidence, UnknownValidator,            | here: Rollbacks_and_challenges… |
// |                                               |   UnknownBlock                            |      |

/// <summary>
/// The bad-input and authority matrix: the cases the other test classes did not cover yet, on chains where
/// "nothing changed" can be checked exactly. The table above maps every case to its test.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class BadInputMatrixTests(ClusterFixture fixture, ITestOutputHelper output)
{
    // ================================================================== transactions

    [Fact]
    public async Task Transaction_edge_cases_are_refused_with_their_code_and_the_halted_chain_does_not_move()
    {
        var chain = await TestChain.Start(fixture.Client, "bad-tx", accounts: 8);
        try
        {
            await chain.WaitForHeight(1);
            await ChainHalt.Halt(chain);
            var sender = chain.Account(0);
            var to = chain.Account(1).Address;
            var price = chain.Config.MinGasPrice;
            var noise = new byte[1 << 20];
            new Random(5_551_212).NextBytes(noise);
            var atLimit = new byte[chain.Config.MaxTransactionBytes];
            new Random(5_551_213).NextBytes(atLimit);
            atLimit[0] = TransactionCodec.Version;

            // The largest fee there is, (2^64 - 1)^2 = 2^128 - 2^65 + 1, fits in 128 bits: it is merely unaffordable.
            // Any value of 2^65 or more on top of it does not fit.
            var maxFee = (UInt128)ulong.MaxValue * ulong.MaxValue;
            var cases = new (string What, byte[] Encoded, AdmissionReason Expected)[]
            {
                ("a fee of u64-max gas at u64-max price, plus 2^65", Transaction.Create(sender, chain.Id, to, UInt128.MaxValue - maxFee + 1, 0, ulong.MaxValue, ulong.MaxValue).Encoded, AdmissionReason.AmountOverflow),
                ("the largest fee alone", Transaction.Create(sender, chain.Id, to, 0, 0, ulong.MaxValue, ulong.MaxValue).Encoded, AdmissionReason.InsufficientBalance),
                ("the largest fee and the largest value that still fits", Transaction.Create(sender, chain.Id, to, UInt128.MaxValue - maxFee, 0, ulong.MaxValue, ulong.MaxValue).Encoded, AdmissionReason.InsufficientBalance),
                ("a gas price of zero", Transaction.Create(sender, chain.Id, to, 1, 0, 0).Encoded, AdmissionReason.GasPriceTooLow),
                ("a chain id in upper case (not a valid id)", Transaction.Create(sender, chain.Id.ToUpperInvariant(), to, 1, 0, price).Encoded, AdmissionReason.BadEncoding),
                ("1 MiB of noise", noise, AdmissionReason.TooLarge),
                ("noise of exactly the size limit", atLimit, AdmissionReason.BadEncoding),
                ("a null entry", null!, AdmissionReason.BadEncoding),
            };
            foreach (var c in cases) await AssertRefused(chain, c.What, c.Expected, c.Encoded, sender.Address);

            // A pending transaction replayed, and its nonce reused: the halted chain keeps both the pending one and the nonce.
            var pending = Transaction.Create(sender, chain.Id, to, Token.OneToken, 0, price);
            Assert.Equal(AdmissionReason.Ok, (await chain.Admission.Submit([pending.Encoded])).Single().Reason);
            await AssertRefused(chain, "a pending transaction replayed", AdmissionReason.Duplicate, pending.Encoded, sender.Address);
            await AssertRefused(chain, "a pending nonce reused at a higher price", AdmissionReason.NonceUsed,
                Transaction.Create(sender, chain.Id, to, Token.OneToken, 0, 3 * price).Encoded, sender.Address);

            // A null batch is no input: no result, no exception. An empty batch likewise.
            var before = await Observe(chain, sender.Address);
            Assert.Empty(await chain.Admission.Submit(null!));
            Assert.Empty(await chain.Admission.Submit([]));
            Assert.Equal(before, await Observe(chain, sender.Address));
        }
        finally
        {
            await ChainHalt.Stop(chain);
        }
    }

    [Fact]
    public async Task One_submission_larger_than_the_mempool_is_admitted_up_to_capacity_and_pushed_back_after_and_the_chain_then_drains_it()
    {
        const int capacity = 16, extra = 8;
        var chain = await TestChain.Start(fixture.Client, "bad-full", c => c.MempoolCapacity = capacity, accounts: capacity + extra + 1);
        try
        {
            await chain.WaitForHeight(1);
            await ChainHalt.Halt(chain);
            var to = chain.Account(capacity + extra).Address;
            var txs = Enumerable.Range(0, capacity + extra)
                .Select(i => Transaction.Create(chain.Account(i), chain.Id, to, Token.OneToken, 0, chain.Config.MinGasPrice)).ToArray();
            var senders = txs.Select(t => t.Sender).ToArray();

            var before = await Observe(chain, senders);
            var results = await chain.Admission.Submit(txs.Select(t => t.Encoded).ToArray());
            Assert.Equal(Enumerable.Repeat(AdmissionReason.Ok, capacity).Concat(Enumerable.Repeat(AdmissionReason.MempoolFull, extra)), results.Select(r => r.Reason));
            Assert.All(results.Skip(capacity), r => Assert.Equal(0UL, r.ArrivalSequence));
            var full = await Observe(chain, senders);
            Assert.Equal(before with { Pending = capacity }, full);

            // Pushed back again while full; the admitted ones are duplicates, not back-pressure.
            var again = await chain.Admission.Submit(txs.Select(t => t.Encoded).ToArray());
            Assert.Equal(Enumerable.Repeat(AdmissionReason.Duplicate, capacity).Concat(Enumerable.Repeat(AdmissionReason.MempoolFull, extra)), again.Select(r => r.Reason));
            Assert.Equal(full, await Observe(chain, senders));

            // The cluster keeps working: the chain resumes, drains the mempool, and the pushed-back ones are admitted and committed.
            await ChainHalt.Resume(chain);
            foreach (var tx in txs.Take(capacity)) await chain.WaitForLevel(tx.Hash, TxLevel.SoftConfirmed);
            await Poll.Until(() => chain.Mempool.GetStats(), s => s.Pending == 0, TimeSpan.FromSeconds(30), "the mempool to drain");
            var retried = await chain.Admission.Submit(txs.Skip(capacity).Select(t => t.Encoded).ToArray());
            Assert.All(retried, r => Assert.Equal(AdmissionReason.Ok, r.Reason));
            foreach (var tx in txs.Skip(capacity)) await chain.WaitForLevel(tx.Hash, TxLevel.SoftConfirmed);
            var audit = await chain.Chain.AuditSupply();
            Assert.True(audit.Conserved, $"supply: {audit}");
        }
        finally
        {
            await ChainHalt.Stop(chain);
        }
    }

    private const int FuzzBatches = 40;
    private const int FuzzBatchSize = 250;

    /// <summary>
    /// FsCheck generates batches of mutations (random bytes, oversize noise, truncations, extensions, bit flips, overwrites,
    /// insertions, deletions and length-prefix edits of valid encodings; transactions re-signed with edge-case fields; and
    /// fresh valid transfers); each batch goes through the admission grain in one call. Every input must get exactly the
    /// code the core rules give it, or — when it decodes and verifies — be admitted or refused for a stateful reason;
    /// fresh valid transfers must be admitted. The chain is halted, so its head and state root must not move at all, and
    /// the mempool grows by exactly the admitted count. A failing batch is shrunk by halves to the input that fails.
    /// </summary>
    [Fact]
    public async Task Thousands_of_random_and_mutated_encodings_are_each_refused_with_the_rules_code_or_admitted_and_never_crash_admission()
    {
        var chain = await TestChain.Start(fixture.Client, "fuzz", accounts: 64);
        try
        {
            await chain.WaitForHeight(1);
            await ChainHalt.Halt(chain);
            var fuzz = new AdmissionFuzz(chain);
            var start = await Observe(chain, fuzz.FreshSenders);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var property = FsCheck.Fluent.Prop.ForAll(FsCheck.Fluent.Arb.From(AdmissionFuzz.Batches(FuzzBatchSize), AdmissionFuzz.Halves),
                (AdmissionFuzz.Mutation[] batch) => Task.Run(() => fuzz.SubmitAndCheck(batch)).GetAwaiter().GetResult());
            FsCheck.Check.One(FsCheck.Config.QuickThrowOnFailure.WithMaxTest(FuzzBatches).WithQuietOnSuccess(true), property);
            clock.Stop();
            output.WriteLine($"{fuzz.Submitted} inputs in {FuzzBatches} batches, {clock.ElapsedMilliseconds} ms: {fuzz.Admitted} admitted ({fuzz.FreshIssued} fresh valid); " +
                string.Join(", ", fuzz.Reasons.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value}")));
            Assert.True(fuzz.Submitted >= FuzzBatches * FuzzBatchSize, $"only {fuzz.Submitted} inputs");
            // The generator reached the interesting codes, not only BadEncoding.
            foreach (var reason in new[] { AdmissionReason.BadEncoding, AdmissionReason.BadSignature, AdmissionReason.TooLarge, AdmissionReason.WrongChain,
                         AdmissionReason.GasPriceTooLow, AdmissionReason.GasLimitTooLow, AdmissionReason.AmountOverflow, AdmissionReason.InsufficientBalance,
                         AdmissionReason.NonceTooFarAhead, AdmissionReason.Ok })
                Assert.True(fuzz.Reasons.GetValueOrDefault(reason) > 0, $"no input was answered {reason}");

            // Over the whole run: the halted chain did not move and the mempool holds exactly what was admitted.
            var end = await Observe(chain, fuzz.FreshSenders);
            Assert.Equal(start with { Pending = start.Pending + fuzz.Admitted }, end);

            // And the cluster keeps working: the chain resumes, commits every fresh transfer, and takes new ones.
            await ChainHalt.Resume(chain);
            await Poll.Until(() => chain.Chain.GetAccounts(fuzz.FreshSenders), a => a.Select(x => x.Nonce).SequenceEqual(fuzz.FreshNonces),
                TimeSpan.FromSeconds(60), "every fresh transfer to commit");
            var probe = Transaction.Create(chain.Account(AdmissionFuzz.ProbeAccount), chain.Id, chain.Account(0).Address, Token.OneToken, 0, chain.Config.MinGasPrice);
            Assert.Equal(AdmissionReason.Ok, (await chain.Admission.Submit([probe.Encoded])).Single().Reason);
            await chain.WaitForLevel(probe.Hash, TxLevel.SoftConfirmed);
            var audit = await chain.Chain.AuditSupply();
            Assert.True(audit.Conserved, $"supply: {audit}");
        }
        finally
        {
            await ChainHalt.Stop(chain);
        }
    }

    // ================================================================== protocol messages: blocks

    [Fact]
    public async Task Blocks_without_authority_or_out_of_place_are_refused_with_their_code_and_the_halted_chain_does_not_move()
    {
        // The protocol's own checks are exercised directly: these calls present the cluster's internal key, as its grains do.
        using var asInternal = TestCallers.AsInternal();
        var (chain, term) = await HaltedChain("bad-block");
        try
        {
            var head = await chain.Chain.GetHead();
            Assert.True(term.Covers(head.Height + 1) && term.Term > 1, $"term {term.Term} [{term.FirstHeight}, {term.LastHeight}] at head {head.Height}");
            var members = term.Committee.Select(s => s.Id).ToArray();
            var others = members.Where(m => m != term.LeaderId).ToArray();
            var next = head.Height + 1;
            // The last block of the previous term: its proposer and term are the stale authority.
            var previous = (await chain.Chain.GetBlock(term.FirstHeight - 1))!;
            Assert.True(previous.Term < term.Term);

            using var leader = Signer(chain, term.LeaderId);
            using var member = Signer(chain, others[0]);
            using var stale = Signer(chain, previous.Proposer);
            using var stranger = SigningKey.Generate();
            Block Propose(SigningKey key, string proposer, ulong height = 0, ulong? termNumber = null, ulong? epoch = null, Hash32? parent = null,
                Address fee = default, string? chainId = null) =>
                Block.Create(key, chainId ?? chain.Id, height == 0 ? next : height, epoch ?? term.Epoch, termNumber ?? term.Term, parent ?? head.Hash,
                    head.StateRoot, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), proposer, fee, []);
            QuorumCertificate All(Block b) => Certify(chain, b.Hash, members);

            var good = Propose(leader, term.LeaderId); // never submitted with a valid certificate
            var elsewhere = Propose(leader, term.LeaderId, height: next + 7);
            var under = UnderQuorum(term);
            var leaderAttestation = Certify(chain, good.Hash, [term.LeaderId]).Signatures[0];
            var transfer = Transaction.Create(chain.Account(0), chain.Id, chain.Account(1).Address, 1, 0, chain.Config.MinGasPrice);
            var emptyButClaimingABody = good with { Entries = [new BlockEntry(transfer, 1)] };

            var cases = new (string What, Block Block, QuorumCertificate Qc, ChainReason Expected, string? Detail)[]
            {
                ("a committee member that is not the leader, fully certified", Propose(member, others[0]), null!, ChainReason.NotLeader, null),
                ("a sequencer outside the committee", Propose(stranger, "mallory"), null!, ChainReason.NotLeader, null),
                ("the previous term's leader, for its term", Propose(stale, previous.Proposer, termNumber: previous.Term, epoch: previous.Epoch), null!, ChainReason.StaleTerm, null),
                ("the leader, for a term that has not begun", Propose(leader, term.LeaderId, termNumber: term.Term + 1), null!, ChainReason.StaleTerm, null),
                ("the leader's name, another key's signature", Propose(stranger, term.LeaderId), null!, ChainReason.BadProposerSignature, null),
                ("a block for another chain", Propose(leader, term.LeaderId, chainId: "another-chain"), null!, ChainReason.WrongChain, null),
                ("no attestation at all", good, new QuorumCertificate(good.Hash, []), ChainReason.BadCertificate, "BelowQuorum"),
                ("a certificate just under quorum", good, Certify(chain, good.Hash, under), ChainReason.BadCertificate, "BelowQuorum"),
                ("the leader's attestation repeated for every seat", good, new QuorumCertificate(good.Hash, members.Select(_ => leaderAttestation).ToArray()), ChainReason.BadCertificate, "DuplicateMember"),
                ("a forged attestation: a member's signature over another block", good,
                    new QuorumCertificate(good.Hash, [.. Certify(chain, good.Hash, others.Skip(1).Append(term.LeaderId)).Signatures, Certify(chain, elsewhere.Hash, [others[0]]).Signatures[0]]),
                    ChainReason.BadCertificate, "BadSignature"),
                ("an attestation of random bytes", good, new QuorumCertificate(good.Hash, [.. Certify(chain, good.Hash, members.Skip(1)).Signatures, new CommitteeSignature(members[0], RandomBytes(64, 7))]),
                    ChainReason.BadCertificate, "BadSignature"),
                ("an attestation from outside the committee", good, new QuorumCertificate(good.Hash, [.. All(good).Signatures, new CommitteeSignature("mallory", new byte[64])]), ChainReason.BadCertificate, "UnknownMember"),
                ("a full certificate of another block", good, All(elsewhere), ChainReason.BadCertificate, "WrongBlock"),
                ("the leader's certified block at the wrong height", elsewhere, null!, ChainReason.WrongHeight, null),
                ("the leader's certified block on another parent", Propose(leader, term.LeaderId, parent: Hash32.Sha256("not the head"u8)), null!, ChainReason.WrongParent, null),
                ("the leader's certified block in another epoch", Propose(leader, term.LeaderId, epoch: term.Epoch + 1), null!, ChainReason.OutsideTerm, null),
                ("the leader's certified block whose body is not its transaction root", emptyButClaimingABody, null!, ChainReason.BadTxRoot, null),
                ("the leader's certified block paying fees to an L2 account", Propose(leader, term.LeaderId, fee: chain.Account(0).Address), null!, ChainReason.BadFeeRecipient, null),
            };
            foreach (var c in cases)
            {
                var before = await Picture(chain);
                var result = await chain.Chain.AppendBlock(c.Block, c.Qc ?? All(c.Block));
                Assert.True(result.Reason == c.Expected, $"{c.What}: expected {c.Expected}, got {result.Reason} ({result.Detail})");
                if (c.Detail is not null) Assert.Contains(c.Detail, result.Detail);
                var after = await Picture(chain);
                Assert.True(before == after, $"{c.What}: the refusal changed the chain:\n before {before}\n after  {after}");
            }
        }
        finally
        {
            await ChainHalt.Stop(chain);
        }
    }

    [Fact]
    public async Task Batches_without_a_committee_quorum_or_out_of_place_are_refused_by_settlement_and_change_nothing()
    {
        // The protocol's own checks are exercised directly: these calls present the cluster's internal key, as its grains do.
        using var asInternal = TestCallers.AsInternal();
        var (chain, term) = await HaltedChain("bad-batch");
        try
        {
            var settlement = chain.Settlement;
            var view = await settlement.GetView();
            int size = chain.Config.BatchSize;
            Assert.True(view.PostedHeight >= (ulong)size, $"posted height {view.PostedHeight}");
            var first = view.PostedHeight + 1;
            var last = first + (ulong)size - 1;
            // The next batch over the chain's real blocks where they exist: only the certificate is wrong.
            var hashes = await chain.Chain.GetBlockHashes(first, last);
            var blocksHash = BatchHeader.HashOfBlocks(hashes);
            var epoch = (await chain.Chain.GetBlock(first))?.Epoch ?? term.Epoch;
            var seats = await chain.Rotation.GetCommittee(epoch);
            var members = seats.Select(s => s.Id).ToArray();
            var batch = new BatchHeader(chain.Id, view.BatchesPosted + 1, first, last, epoch, Hash32.Zero, blocksHash);
            var other = batch with { LastStateRoot = Hash32.Sha256("another root"u8) };

            var under = UnderQuorum(new Committee(seats));
            var cases = new (string What, BatchHeader Batch, CommitteeSignature[] Signatures, SettlementReason Expected)[]
            {
                ("no signatures", batch, [], SettlementReason.BadCertificate),
                ("signatures just under quorum", batch, SignBatch(chain, batch, under), SettlementReason.BadCertificate),
                ("a forged signature: one member's over another batch", batch,
                    [.. SignBatch(chain, batch, members.Skip(1)), .. SignBatch(chain, other, members.Take(1))], SettlementReason.BadCertificate),
                ("block attestations instead of batch signatures", batch,
                    [.. Certify(chain, batch.Hash(), members).Signatures], SettlementReason.BadCertificate),
                ("one member's signature repeated", batch, [.. SignBatch(chain, batch, members), .. SignBatch(chain, batch, members.Take(1))], SettlementReason.BadCertificate),
                ("a signature from outside the committee", batch, [.. SignBatch(chain, batch, members), new CommitteeSignature("mallory", new byte[64])], SettlementReason.BadCertificate),
                ("a full quorum over blocks the chain does not have", batch with { BlocksHash = Hash32.Sha256("other blocks"u8) },
                    SignBatch(chain, batch with { BlocksHash = Hash32.Sha256("other blocks"u8) }, members), SettlementReason.Mismatch),
                ("a full quorum for a batch that skips one", batch with { FirstHeight = first + (ulong)size, LastHeight = last + (ulong)size },
                    SignBatch(chain, batch with { FirstHeight = first + (ulong)size, LastHeight = last + (ulong)size }, members), SettlementReason.OutOfOrder),
                ("a full quorum for a batch one block too long", batch with { LastHeight = last + 1 },
                    SignBatch(chain, batch with { LastHeight = last + 1 }, members), SettlementReason.OutOfOrder),
                ("a full quorum for a batch already posted", batch with { FirstHeight = first - (ulong)size, LastHeight = last - (ulong)size },
                    SignBatch(chain, batch with { FirstHeight = first - (ulong)size, LastHeight = last - (ulong)size }, members), SettlementReason.AlreadyPosted),
            };
            foreach (var c in cases)
            {
                var before = await Picture(chain);
                var reason = await settlement.PostBatch(c.Batch, c.Signatures, seats);
                Assert.True(reason == c.Expected, $"{c.What}: expected {c.Expected}, got {reason}");
                var after = await Picture(chain);
                Assert.True(before == after, $"{c.What}: the refusal changed something:\n before {before}\n after  {after}");
            }
        }
        finally
        {
            await ChainHalt.Stop(chain);
        }
    }

    [Fact]
    public async Task Forged_proposals_get_no_attestation_frame_no_leader_and_do_not_stop_the_chain()
    {
        // The protocol's own checks are exercised directly: these calls present the cluster's internal key, as its grains do.
        using var asInternal = TestCallers.AsInternal();
        // One long epoch and a patient leader timeout: the term under test lasts the whole test.
        var chain = await TestChain.Start(fixture.Client, "bad-proposal", c => { c.EpochLength = 400; c.LeaderTimeoutMs = 5_000; });
        try
        {
            await chain.WaitForHeight(2);
            var term = (await chain.Rotation.GetCurrent())!;
            var head = await chain.Chain.GetHead();
            var others = term.Committee.Select(s => s.Id).Where(m => m != term.LeaderId).ToArray();
            using var usurperKey = Signer(chain, others[0]);
            using var leaderKey = Signer(chain, term.LeaderId);
            using var stranger = SigningKey.Generate();
            var height = head.Height + 1;
            SignedHeader Header(SigningKey key, string proposer, string? chainId = null, ulong? termNumber = null) =>
                Block.Create(key, chainId ?? chain.Id, height, term.Epoch, termNumber ?? term.Term, head.Hash, head.StateRoot,
                    DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), proposer, default, []).Signed;

            var cases = new (string What, SignedHeader Header, AttestReason Expected)[]
            {
                ("a committee member proposing in the leader's place", Header(usurperKey, others[0]), AttestReason.NotLeader),
                ("the leader's name, another key's signature", Header(stranger, term.LeaderId), AttestReason.BadSignature),
                // Signed with the leader's own key (the signature is checked before the term: cheap checks first).
                ("the leader's key, for a term that does not exist", Header(leaderKey, term.LeaderId, termNumber: term.Term + 100), AttestReason.NotLeader),
                ("a proposal for another chain", Header(stranger, term.LeaderId, chainId: "another-chain"), AttestReason.WrongChain),
            };
            foreach (var c in cases)
                foreach (var m in others.Skip(1))
                {
                    var reply = await chain.Sequencer(m).Attest(c.Header);
                    Assert.True(reply.Reason == c.Expected, $"{c.What} to {m}: expected {c.Expected}, got {reply.Reason}");
                    Assert.Null(reply.Signature);
                }
            // A batch that is not the chain's blocks gets no member's signature either.
            var fakeBatch = new BatchHeader(chain.Id, 99, 1, (ulong)chain.Config.BatchSize, term.Epoch, Hash32.Zero, Hash32.Sha256("no such blocks"u8));
            foreach (var m in others.Skip(1))
                Assert.Equal(AttestReason.WrongParent, (await chain.Sequencer(m).SignBatch(fakeBatch)).Reason);

            // The forged headers were not remembered as attested: the real leader's blocks at those heights are attested,
            // nobody is reported for equivocation, and there was no failover.
            await chain.WaitForHeight(height + 3);
            Assert.Equal(term.LeaderId, (await chain.Chain.GetBlock(height))!.Proposer);
            var views = await Task.WhenAll(chain.Genesis.Sequencers.Select(s => chain.Sequencer(s.Id).GetView()));
            Assert.All(views, v => Assert.True(v.Status == "Active" && v.Slashes == 0, $"{v.Id}: {v.Status}, {v.Slashes} slash(es)"));
            var status = await chain.Rotation.GetStatus();
            Assert.Equal((0, term.Term), (status.Failovers, status.Current!.Term));
            Assert.Empty(await chain.Chain.GetRollbacks());
        }
        finally
        {
            await ChainHalt.Stop(chain);
        }
    }

    // ================================================================== protocol messages: rollbacks and challenges

    [Fact]
    public async Task Rollbacks_and_challenges_without_a_valid_proof_against_a_live_block_are_refused_and_the_halted_chain_does_not_move()
    {
        // The protocol's own checks are exercised directly: these calls present the cluster's internal key, as its grains do.
        using var asInternal = TestCallers.AsInternal();
        var (chain, _) = await HaltedChain("bad-challenge");
        try
        {
            var head = await chain.Chain.GetHead();
            var final = head.FinalizedHeight;
            Assert.True(final >= 1 && head.Height > final, $"finalized {final} of {head.Height}");
            var live = (await chain.Chain.GetBlock(final + 1))!;

            // No caller may ask for a rollback, at any height.
            foreach (var h in new[] { head.Height, final + 1, final, 1UL, 0UL, ulong.MaxValue })
            {
                var before = await Picture(chain);
                var refused = await chain.Chain.RequestRollback(h, "because I say so");
                Assert.Equal(ChainReason.RollbackWithoutProof, refused.Reason);
                Assert.Equal(before, await Picture(chain));
            }

            using var val00 = GenesisKeys.Validator(chain.NodeKeySeed, chain.Id, "val-00");
            using var val01 = GenesisKeys.Validator(chain.NodeKeySeed, chain.Id, "val-01");
            using var stranger = SigningKey.Generate();
            var finalBlock = (await chain.Chain.GetBlock(final))!;
            var cases = new (string What, FraudProof Proof, ChainReason Expected)[]
            {
                ("against the first block, long final", Proof("val-00", 1, (await chain.Chain.GetBlock(1))!.Hash, val00), ChainReason.BlockFinalized),
                ("against the last finalized block", Proof("val-00", final, finalBlock.Hash, val00), ChainReason.BlockFinalized),
                ("from a validator that does not exist", Proof("val-99", live.Height, live.Hash, stranger), ChainReason.UnknownValidator),
                ("against height 0 (genesis)", Proof("val-00", 0, Hash32.Zero, val00), ChainReason.UnknownBlock),
                ("against a height past the head", Proof("val-00", head.Height + 1, live.Hash, val00), ChainReason.UnknownBlock),
                ("against a live height with another block's hash", Proof("val-00", live.Height, Hash32.Sha256("no such block"u8), val00), ChainReason.UnknownBlock),
                ("unsigned", Proof("val-00", live.Height, live.Hash, null), ChainReason.BadEvidence),
                ("in val-00's name, signed by val-01", Proof("val-00", live.Height, live.Hash, val01), ChainReason.BadEvidence),
            };
            foreach (var c in cases)
            {
                var before = await Picture(chain);
                var result = await chain.Chain.Challenge(c.Proof);
                Assert.True(result.Reason == c.Expected, $"a challenge {c.What}: expected {c.Expected}, got {result.Reason}");
                Assert.False(result.Succeeded);
                var after = await Picture(chain);
                Assert.True(before == after, $"a challenge {c.What} changed something:\n before {before}\n after  {after}");
            }

            // A properly signed challenge against a live block that re-executes soundly: the other validators disagree and
            // it is rejected. val-00 did not make it (the test signed it with val-00's key), so val-00 takes no strike: a
            // validator's strike comes only from the chain's answer to its own challenge (the chain counts its own).
            var beforeFalse = await Picture(chain);
            var rejected = await chain.Chain.Challenge(Proof("val-00", live.Height, live.Hash, val00));
            Assert.Equal(ChainReason.ChallengeRejected, rejected.Reason);
            Assert.False(rejected.Succeeded);
            Assert.Equal(new[] { "val-00" }, rejected.Agreed);
            var afterFalse = await Picture(chain);
            Assert.Equal(beforeFalse, afterFalse);
            Assert.Equal(0, (await chain.Validator("val-00").GetView()).Strikes);
        }
        finally
        {
            await ChainHalt.Stop(chain);
        }
    }

    // ================================================================== helpers

    /// <summary>
    /// A chain past its first epoch (so its term is not the first), with finalized blocks, every block validated, and then
    /// halted: nothing can be appended, so any change after this is the test's doing.
    /// </summary>
    private async Task<(TestChain Chain, LeadershipTerm Term)> HaltedChain(string name)
    {
        var chain = await TestChain.Start(fixture.Client, name);
        var target = chain.Config.EpochLength + 3;
        await Poll.Until(() => chain.Chain.GetHead(), h => h.Height >= target && h.FinalizedHeight >= 1, TimeSpan.FromSeconds(60),
            $"height {target} with a finalized block");
        await ChainHalt.Halt(chain);
        await Poll.Until(() => chain.Chain.GetHead(), h => h.ValidatedHeight == h.Height, TimeSpan.FromSeconds(30), "every block validated");
        var term = (await chain.Rotation.GetCurrent())!;
        output.WriteLine($"{chain.Id}: halted at {await chain.Chain.GetHead()}, term {term.Term} led by {term.LeaderId}");
        return (chain, term);
    }

    /// <summary>Everything a refused protocol message could have touched.</summary>
    private sealed record ChainPicture(ChainHead Head, int Rollbacks, ulong RotationEpoch, ulong Term, string Leader, int Failovers,
        (ulong Posted, ulong Final, ulong Batches, ulong Reverted) Settlement, int Pending, string Strikes);

    private static async Task<ChainPicture> Picture(TestChain chain)
    {
        var head = await chain.Chain.GetHead();
        var rollbacks = await chain.Chain.GetRollbacks();
        var rotation = await chain.Rotation.GetStatus();
        var settlement = await chain.Settlement.GetView();
        var mempool = await chain.Mempool.GetStats();
        var validators = await Task.WhenAll(chain.Genesis.Validators.Select(v => chain.Validator(v.Id).GetView()));
        return new ChainPicture(head, rollbacks.Length, rotation.Epoch, rotation.Current?.Term ?? 0, rotation.Current?.LeaderId ?? "", rotation.Failovers,
            (settlement.PostedHeight, settlement.FinalizedHeight, settlement.BatchesPosted, settlement.BatchesReverted), mempool.Pending,
            string.Join(" ", validators.Select(v => $"{v.Id}:{v.Strikes}/{v.Bond}")));
    }

    private sealed record Observation(ChainHead Head, int Pending, Core.Execution.Account[] Accounts)
    {
        public bool Equals(Observation? other) =>
            other is not null && Head.Height == other.Head.Height && Head.Hash == other.Head.Hash && Head.StateRoot == other.Head.StateRoot
            && Pending == other.Pending && Accounts.SequenceEqual(other.Accounts);

        public override int GetHashCode() => HashCode.Combine(Head.Hash, Pending, Accounts.Length);

        public override string ToString() => $"height {Head.Height}, root {Head.StateRoot.ToHex()[..12]}, {Pending} pending, accounts [{string.Join(", ", Accounts)}]";
    }

    private static async Task<Observation> Observe(TestChain chain, params Address[] senders) =>
        new(await chain.Chain.GetHead(), (await chain.Mempool.GetStats()).Pending, senders.Length == 0 ? [] : await chain.Chain.GetAccounts(senders));

    /// <summary>Submits one input; checks the reason, that it got no arrival sequence, and that the head, the mempool and the sender did not change.</summary>
    private static async Task AssertRefused(TestChain chain, string what, AdmissionReason expected, byte[] encoded, Address sender)
    {
        var before = await Observe(chain, sender);
        var result = (await chain.Admission.Submit([encoded])).Single();
        Assert.True(result.Reason == expected, $"{what}: expected {expected}, got {result.Reason}");
        Assert.Equal(0UL, result.ArrivalSequence);
        var after = await Observe(chain, sender);
        Assert.True(before.Equals(after), $"{what}: the refusal changed something: before {before}; after {after}");
    }

    /// <summary>
    /// The admission fuzzer: turns generated mutations into inputs, submits a batch, and checks each answer against the
    /// core rules (<see cref="TransactionRules.CheckStateless(ReadOnlySpan{byte}, ChainParameters, out Transaction?, bool)"/>).
    /// Accounts 0–39 send fresh valid transfers (one nonce sequence each), 40–47 sign edge-case transactions, 48–51 own the
    /// encodings that get mutated; <see cref="ProbeAccount"/> is kept for the liveness check afterwards.
    /// </summary>
    internal sealed class AdmissionFuzz
    {
        public enum Kind { Noise, OversizeNoise, Truncate, Extend, FlipBit, Overwrite, Insert, Delete, LengthPrefix, Resigned, Fresh }

        /// <summary>One generated input: what to do, to which base encoding, and the numbers that pick where and what.</summary>
        public sealed record Mutation(Kind Kind, int Base, int Position, int Length, int Seed);

        public const int ProbeAccount = 52;
        private const int FreshCount = 40, ResignFirst = 40, ResignCount = 8, BaseFirst = 48;

        /// <summary>The answers a decodable, correctly signed transaction may get from the stateful checks.</summary>
        private static readonly HashSet<AdmissionReason> Stateful =
            [AdmissionReason.Ok, AdmissionReason.Duplicate, AdmissionReason.NonceUsed, AdmissionReason.NonceTooFarAhead, AdmissionReason.InsufficientBalance];

        private readonly TestChain _chain;
        private readonly ChainParameters _rules;
        private readonly byte[][] _bases;
        private readonly int _maxData;
        private readonly Address _recipient;
        private int _freshCursor;

        public AdmissionFuzz(TestChain chain)
        {
            _chain = chain;
            _rules = chain.Config.ToChainParameters();
            _recipient = chain.Account(63).Address;
            _maxData = chain.Config.MaxTransactionBytes - TransactionCodec.FixedSize - chain.Id.Length;
            var price = chain.Config.MinGasPrice;
            _bases =
            [
                Transaction.Create(chain.Account(BaseFirst), chain.Id, _recipient, Token.OneToken, 0, price).Encoded,
                Transaction.Create(chain.Account(BaseFirst + 1), chain.Id, _recipient, 5, 0, 2 * price, ChainParameters.IntrinsicGas(64), RandomBytes(64, 1)).Encoded,
                Transaction.Create(chain.Account(BaseFirst + 2), chain.Id, _recipient, 7, 0, price, ChainParameters.IntrinsicGas(_maxData), RandomBytes(_maxData, 2)).Encoded,
                Transaction.Create(chain.Account(BaseFirst + 3), chain.Id, _recipient, 0, 3, price).Encoded,
            ];
            Assert.Equal(chain.Config.MaxTransactionBytes, _bases[2].Length);
            FreshSenders = Enumerable.Range(0, FreshCount).Select(i => chain.Account(i).Address).ToArray();
            FreshNonces = new ulong[FreshCount];
        }

        public Address[] FreshSenders { get; }
        public ulong[] FreshNonces { get; }
        public int Submitted { get; private set; }
        public int Admitted { get; private set; }
        public int FreshIssued { get; private set; }
        public Dictionary<AdmissionReason, int> Reasons { get; } = [];

        public static Gen<Mutation[]> Batches(int size)
        {
            var kind = FsCheck.Fluent.Gen.Frequency(
                (6, FsCheck.Fluent.Gen.Constant(Kind.Noise)), (1, FsCheck.Fluent.Gen.Constant(Kind.OversizeNoise)),
                (8, FsCheck.Fluent.Gen.Constant(Kind.Truncate)), (4, FsCheck.Fluent.Gen.Constant(Kind.Extend)),
                (10, FsCheck.Fluent.Gen.Constant(Kind.FlipBit)), (8, FsCheck.Fluent.Gen.Constant(Kind.Overwrite)),
                (4, FsCheck.Fluent.Gen.Constant(Kind.Insert)), (4, FsCheck.Fluent.Gen.Constant(Kind.Delete)),
                (5, FsCheck.Fluent.Gen.Constant(Kind.LengthPrefix)), (14, FsCheck.Fluent.Gen.Constant(Kind.Resigned)),
                (6, FsCheck.Fluent.Gen.Constant(Kind.Fresh)));
            var number = FsCheck.Fluent.Gen.Choose(0, 4_095);
            var one =
                from k in kind
                from b in FsCheck.Fluent.Gen.Choose(0, 3)
                from position in number
                from length in number
                from seed in FsCheck.Fluent.Gen.Choose(0, int.MaxValue)
                select new Mutation(k, b, position, length, seed);
            return FsCheck.Fluent.Gen.ArrayOf(one, size);
        }

        /// <summary>Shrinks a failing batch by halves, down to the one input that fails.</summary>
        public static IEnumerable<Mutation[]> Halves(Mutation[] batch) =>
            batch.Length <= 1 ? [] : [batch[..(batch.Length / 2)], batch[(batch.Length / 2)..]];

        public async Task SubmitAndCheck(Mutation[] batch)
        {
            var inputs = new byte[batch.Length][];
            var fresh = new Transaction?[batch.Length];
            for (int i = 0; i < batch.Length; i++) inputs[i] = Input(batch[i], out fresh[i]);

            var before = await Observe(_chain);
            var results = await _chain.Admission.Submit(inputs);
            Assert.Equal(inputs.Length, results.Length);
            int admitted = 0;
            for (int i = 0; i < inputs.Length; i++)
            {
                var r = results[i];
                var what = $"input {i} ({batch[i]}, {inputs[i].Length} bytes: {Convert.ToHexString(inputs[i].AsSpan(0, Math.Min(inputs[i].Length, 48)))}…)";
                Assert.True(Enum.IsDefined(r.Reason), $"{what}: undefined code {(int)r.Reason}");
                Reasons[r.Reason] = Reasons.GetValueOrDefault(r.Reason) + 1;
                if (r.Reason == AdmissionReason.Ok)
                {
                    admitted++;
                    Assert.True(r.ArrivalSequence > 0, $"{what}: admitted without an arrival sequence");
                }
                else
                {
                    Assert.True(r.ArrivalSequence == 0, $"{what}: refused ({r.Reason}) with arrival sequence {r.ArrivalSequence}");
                }
                if (fresh[i] is { } tx)
                {
                    Assert.True(r.Reason == AdmissionReason.Ok && r.Hash == tx.Hash, $"{what}: a fresh valid transfer was answered {r.Reason}");
                    continue;
                }
                var expected = TransactionRules.CheckStateless(inputs[i], _rules, out _);
                if (expected == AdmissionReason.Ok)
                    Assert.True(Stateful.Contains(r.Reason), $"{what}: a decodable, signed transaction was answered {r.Reason}");
                else if (expected == AdmissionReason.BadSignature)
                    // Admission checks the sender (cheap) before the signature (Ed25519): a bad signature may be refused for its sender first.
                    Assert.True(r.Reason == expected || (r.Reason != AdmissionReason.Ok && Stateful.Contains(r.Reason)), $"{what}: the rules say {expected}, admission said {r.Reason}");
                else
                    Assert.True(r.Reason == expected, $"{what}: the rules say {expected}, admission said {r.Reason}");
            }
            var after = await Observe(_chain);
            Assert.True(after.Equals(before with { Pending = before.Pending + admitted }), $"the batch moved the halted chain or the mempool by more than it admitted ({admitted}): before {before}; after {after}");
            Submitted += inputs.Length;
            Admitted += admitted;
        }

        private byte[] Input(Mutation m, out Transaction? fresh)
        {
            fresh = null;
            var rng = new Random(m.Seed);
            var b = _bases[m.Base];
            switch (m.Kind)
            {
                case Kind.Noise:
                    return Bytes(rng, m.Length % 400);
                case Kind.OversizeNoise:
                    return Bytes(rng, _rules.MaxTransactionBytes + 1 + m.Length);
                case Kind.Truncate:
                    return b[..(m.Position % b.Length)];
                case Kind.Extend:
                    return [.. b, .. Bytes(rng, 1 + m.Length % 16)];
                case Kind.FlipBit:
                {
                    var copy = b.ToArray();
                    copy[m.Position % copy.Length] ^= (byte)(1 << (m.Length % 8));
                    return copy;
                }
                case Kind.Overwrite:
                {
                    var copy = b.ToArray();
                    for (int k = 1 + m.Length % 4; k > 0; k--) copy[rng.Next(copy.Length)] = (byte)rng.Next(256);
                    return copy;
                }
                case Kind.Insert:
                {
                    int at = m.Position % (b.Length + 1);
                    return [.. b[..at], .. Bytes(rng, 1 + m.Length % 8), .. b[at..]];
                }
                case Kind.Delete:
                {
                    int at = m.Position % b.Length;
                    int count = 1 + m.Length % Math.Min(16, b.Length - at);
                    return [.. b[..at], .. b[(at + count)..]];
                }
                case Kind.LengthPrefix:
                {
                    // The chain id's u8 length, or the data's u16 length (after version, chain id, key, recipient, value, nonce, price, limit).
                    var copy = b.ToArray();
                    if (m.Length % 2 == 0) copy[1] = (byte)rng.Next(256);
                    else System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(2 + _chain.Id.Length + 32 + 20 + 16 + 8 + 8 + 8), (ushort)rng.Next(65_536));
                    return copy;
                }
                case Kind.Resigned:
                    return Resigned(rng);
                default:
                {
                    int sender = _freshCursor++ % FreshCount;
                    Assert.True(FreshNonces[sender] <= (ulong)_chain.Config.MaxNonceGap, "the fuzz ran out of fresh nonces: use more fresh senders");
                    fresh = Transaction.Create(_chain.Account(sender), _chain.Id, _recipient, 1, FreshNonces[sender]++, _rules.MinGasPrice);
                    FreshIssued++;
                    return fresh.Encoded;
                }
            }
        }

        /// <summary>A correctly signed transaction whose fields are edge values: each stateless and stateful rule gets its turn.</summary>
        private byte[] Resigned(Random rng)
        {
            var key = _chain.Account(ResignFirst + rng.Next(ResignCount));
            var chainId = rng.Next(8) == 0 ? Pick(rng, "another-chain", "x", new string('a', 32)) : _chain.Id;
            var min = _rules.MinGasPrice;
            var value = Pick(rng, UInt128.Zero, UInt128.One, Token.OneToken, Token.FromTokens(999), Token.FromTokens(2_000), UInt128.One << 65,
                UInt128.MaxValue / 2, UInt128.MaxValue, new UInt128((ulong)rng.NextInt64(), (ulong)rng.NextInt64()));
            var nonce = Pick(rng, 0UL, 1UL, 2UL, 63UL, 64UL, 65UL, 1_000UL, ulong.MaxValue, (ulong)rng.NextInt64());
            var price = Pick(rng, 0UL, min - 1, min, 2 * min, ulong.MaxValue, (ulong)rng.NextInt64());
            int room = _rules.MaxTransactionBytes - TransactionCodec.FixedSize - chainId.Length;
            var dataLength = Pick(rng, 0, 1, 16, 200, room, room + 1);
            var gas = Pick(rng, 0UL, ChainParameters.TransferGas - 1, ChainParameters.TransferGas, ChainParameters.IntrinsicGas(dataLength) - 1,
                ChainParameters.IntrinsicGas(dataLength), ulong.MaxValue, (ulong)rng.NextInt64());
            return Transaction.Create(key, chainId, _recipient, value, nonce, price, gas, Bytes(rng, dataLength)).Encoded;
        }

        private static T Pick<T>(Random rng, params T[] choices) => choices[rng.Next(choices.Length)];

        private static byte[] Bytes(Random rng, int length)
        {
            var bytes = new byte[length];
            rng.NextBytes(bytes);
            return bytes;
        }
    }

    private static SigningKey Signer(TestChain chain, string sequencerId) => GenesisKeys.SequencerSigner(chain.NodeKeySeed, chain.Id, sequencerId);

    private static QuorumCertificate Certify(TestChain chain, Hash32 blockHash, IEnumerable<string> members) =>
        new(blockHash, members.Select(m =>
        {
            using var key = Signer(chain, m);
            return new CommitteeSignature(m, Signing.SignAttestation(key, blockHash));
        }).ToArray());

    private static CommitteeSignature[] SignBatch(TestChain chain, BatchHeader batch, IEnumerable<string> members) =>
        members.Select(m =>
        {
            using var key = Signer(chain, m);
            return new CommitteeSignature(m, Signing.SignBatch(key, batch.Hash()));
        }).ToArray();

    /// <summary>The most members, largest first, whose power is still not more than 2/3: one more seat would make quorum.</summary>
    private static string[] UnderQuorum(LeadershipTerm term) => UnderQuorum(new Committee(term.Committee));

    private static string[] UnderQuorum(Committee committee)
    {
        var chosen = new List<string>();
        long power = 0;
        foreach (var seat in committee.Seats.OrderByDescending(s => s.Power))
            if (!committee.IsQuorum(power + seat.Power))
            {
                chosen.Add(seat.Id);
                power += seat.Power;
            }
        Assert.False(committee.IsQuorum(power));
        Assert.NotEmpty(chosen);
        return chosen.ToArray();
    }

    private static FraudProof Proof(string challenger, ulong height, Hash32 blockHash, SigningKey? key)
    {
        var proof = new FraudProof(challenger, height, blockHash, Hash32.Zero, Hash32.Sha256("a root nobody computed"u8), BlockFault.StateRootMismatch, "test", []);
        return proof with { ChallengerSignature = key is null ? new byte[64] : key.Sign(ChainGrain.ProofPayload(proof)) };
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
