using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Execution;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;

namespace ActorRollup.IntegrationTests;

/// <summary>
/// Admission end to end through the admission grain (PROTOCOL.md §2, §9 "bad input from any client: a clear error with
/// a reason code; state unchanged"): every <see cref="AdmissionReason"/>, and for every refusal the chain's state root,
/// the refused sender's account and the mempool size are what they were before.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class AdmissionTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Malformed_forged_and_out_of_bounds_transactions_are_refused_statelessly_and_change_nothing()
    {
        var chain = await TestChain.Start(fixture.Client, "adm-stateless", accounts: 4);
        try
        {
            var sender = chain.Account(0);
            var impostor = chain.Account(1);
            var to = chain.Account(2).Address;
            var price = chain.Config.MinGasPrice;
            var valid = Transaction.Create(sender, chain.Id, to, Token.OneToken, 0, price);
            var maxFee = (UInt128)ChainParameters.TransferGas * price;

            // Random bytes from a fixed seed, so a failure reproduces.
            var random = new byte[200];
            new Random(20_240_611).NextBytes(random);
            // The sender's key with the impostor's signature: the signature covers the sender key, so it cannot verify.
            var byImpostor = Transaction.Create(impostor, chain.Id, to, Token.OneToken, 0, price).Encoded;
            var impersonation = Splice(byImpostor, SenderKeyOffset(chain.Id), sender.PublicKey);
            // Largest data field that still fits, and one byte more.
            int fits = chain.Config.MaxTransactionBytes - TransactionCodec.FixedSize - chain.Id.Length;
            var tooLarge = Transaction.Create(sender, chain.Id, to, 1, 0, price, ChainParameters.IntrinsicGas(fits + 1), new byte[fits + 1]);
            Assert.Equal(chain.Config.MaxTransactionBytes + 1, tooLarge.Encoded.Length);

            var cases = new (string What, byte[] Encoded, AdmissionReason Expected, Address? Sender)[]
            {
                ("random bytes", random, AdmissionReason.BadEncoding, null),
                ("no bytes at all", [], AdmissionReason.BadEncoding, null),
                ("truncated by one byte", valid.Encoded[..^1], AdmissionReason.BadEncoding, null),
                ("one trailing byte", [.. valid.Encoded, 0], AdmissionReason.BadEncoding, null),
                ("unknown version", Splice(valid.Encoded, 0, [2]), AdmissionReason.BadEncoding, null),
                ("value changed after signing", Flip(valid.Encoded, ValueOffset(chain.Id) + 15), AdmissionReason.BadSignature, sender.Address),
                ("signature bit flipped", Flip(valid.Encoded, valid.Encoded.Length - 1), AdmissionReason.BadSignature, sender.Address),
                ("the sender's key with another key's signature", impersonation, AdmissionReason.BadSignature, sender.Address),
                ("signed for another chain", Transaction.Create(sender, "another-chain", to, Token.OneToken, 0, price).Encoded, AdmissionReason.WrongChain, sender.Address),
                ("gas price one below the minimum", Transaction.Create(sender, chain.Id, to, 1, 0, price - 1).Encoded, AdmissionReason.GasPriceTooLow, sender.Address),
                ("gas limit one below a transfer's", Transaction.Create(sender, chain.Id, to, 1, 0, price, ChainParameters.TransferGas - 1).Encoded, AdmissionReason.GasLimitTooLow, sender.Address),
                ("gas limit not covering the data", Transaction.Create(sender, chain.Id, to, 1, 0, price, ChainParameters.TransferGas, new byte[10]).Encoded, AdmissionReason.GasLimitTooLow, sender.Address),
                ("value + max fee one past 2^128 - 1", Transaction.Create(sender, chain.Id, to, UInt128.MaxValue - maxFee + 1, 0, price).Encoded, AdmissionReason.AmountOverflow, sender.Address),
                ("value = 2^128 - 1", Transaction.Create(sender, chain.Id, to, UInt128.MaxValue, 0, price).Encoded, AdmissionReason.AmountOverflow, sender.Address),
                ("one byte over the size limit", tooLarge.Encoded, AdmissionReason.TooLarge, sender.Address),
                // Passes every stateless check (value + max fee is exactly 2^128 - 1), then fails the balance check.
                ("value + max fee exactly 2^128 - 1", Transaction.Create(sender, chain.Id, to, UInt128.MaxValue - maxFee, 0, price).Encoded, AdmissionReason.InsufficientBalance, sender.Address),
            };
            foreach (var c in cases) await AssertRefused(chain, c.What, c.Expected, c.Encoded, c.Sender);

            // All of them at once: one result per input, in order, and still nothing changes.
            var before = await Observe(chain, sender.Address);
            var batch = await chain.Admission.Submit(cases.Select(c => c.Encoded).ToArray());
            Assert.Equal(cases.Select(c => c.Expected), batch.Select(r => r.Reason));
            Assert.Equal(before, await Observe(chain, sender.Address));

            // A chain the cluster does not know refuses as WrongChain.
            var unknown = await fixture.Client.GetGrain<IAdmissionGrain>("no-such-chain").Submit([valid.Encoded]);
            Assert.Equal(AdmissionReason.WrongChain, unknown.Single().Reason);

            // None of the refusals consumed the sender's nonce 0: the valid transfer, then a transaction of exactly the
            // maximum size, are admitted and executed with the fees their gas implies.
            var largest = Transaction.Create(sender, chain.Id, to, 1, 1, price, ChainParameters.IntrinsicGas(fits), new byte[fits]);
            Assert.Equal(chain.Config.MaxTransactionBytes, largest.Encoded.Length);
            var admitted = await chain.Admission.Submit([valid.Encoded, largest.Encoded]);
            Assert.All(admitted, r => Assert.Equal(AdmissionReason.Ok, r.Reason));
            var start = before.Accounts[0];
            var done = await Poll.Until(() => chain.Chain.GetAccounts([sender.Address]), a => a[0].Nonce == 2, TimeSpan.FromSeconds(30), "both transfers to commit");
            var fees = (UInt128)(ChainParameters.TransferGas + ChainParameters.IntrinsicGas(fits)) * price;
            Assert.Equal(start.Balance - Token.OneToken - 1 - fees, done[0].Balance);
        }
        finally
        {
            await ChainHalt.Halt(chain);
        }
    }

    [Fact]
    public async Task A_committed_transaction_cannot_be_replayed_and_its_nonce_cannot_be_reused()
    {
        var chain = await TestChain.Start(fixture.Client, "adm-replay", accounts: 4);
        try
        {
            var sender = chain.Account(0);
            var to = chain.Account(1).Address;
            var price = chain.Config.MinGasPrice;
            var first = Transaction.Create(sender, chain.Id, to, 3 * Token.OneToken, 0, price);
            Assert.Equal(AdmissionReason.Ok, (await chain.Admission.Submit([first.Encoded])).Single().Reason);
            await chain.WaitForLevel(first.Hash, TxLevel.SoftConfirmed);
            await Poll.Until(() => chain.Mempool.GetStats(), s => s.Pending == 0, TimeSpan.FromSeconds(10), "the mempool to drain");

            // The same bytes again: already committed. A new transaction with the used nonce: nonce used.
            await AssertRefused(chain, "replay of a committed transaction", AdmissionReason.Duplicate, first.Encoded, sender.Address);
            var reuse = Transaction.Create(sender, chain.Id, to, 5 * Token.OneToken, 0, price);
            await AssertRefused(chain, "a new transaction with a committed nonce", AdmissionReason.NonceUsed, reuse.Encoded, sender.Address);
            var reuseRaisedPrice = Transaction.Create(sender, chain.Id, to, 3 * Token.OneToken, 0, 2 * price);
            await AssertRefused(chain, "the committed nonce with a higher gas price", AdmissionReason.NonceUsed, reuseRaisedPrice.Encoded, sender.Address);

            // The replayed transfer was applied once only.
            var account = (await chain.Chain.GetAccounts([sender.Address]))[0];
            Assert.Equal(1UL, account.Nonce);
            Assert.Equal(Token.FromTokens(chain.Genesis.LoadTestAccountTokens) - 3 * Token.OneToken - (UInt128)ChainParameters.TransferGas * price, account.Balance);
        }
        finally
        {
            await ChainHalt.Halt(chain);
        }
    }

    [Fact]
    public async Task Pending_transactions_hold_their_nonces_and_their_cost_and_the_nonce_window_is_bounded()
    {
        var chain = await TestChain.Start(fixture.Client, "adm-pending", accounts: 8);
        try
        {
            var price = chain.Config.MinGasPrice;
            var fee = (UInt128)ChainParameters.TransferGas * price;
            var initial = Token.FromTokens(chain.Genesis.LoadTestAccountTokens);
            var spender = chain.Account(2);
            var to = chain.Account(3).Address;
            Transaction Tx(SigningKey from, ulong nonce, UInt128 value) => Transaction.Create(from, chain.Id, to, value, nonce, price);

            // Nonce 1 while the account is at nonce 0: admitted, and it waits (a gap is never put in a block), so nothing
            // executes and the state root stays put while the conflicts below are refused.
            var pending1 = Tx(spender, 1, Token.FromTokens(600));
            await AssertAdmitted(chain, pending1);
            await AssertRefused(chain, "the pending transaction again", AdmissionReason.Duplicate, pending1.Encoded, spender.Address);
            await AssertRefused(chain, "another transaction with the pending nonce", AdmissionReason.NonceUsed, Tx(spender, 1, Token.FromTokens(500)).Encoded, spender.Address);
            // 400 tokens alone would fit in 1000; with the 600 pending it does not (cumulative pending cost).
            await AssertRefused(chain, "cost beyond the balance left by pending transactions", AdmissionReason.InsufficientBalance,
                Tx(spender, 2, Token.FromTokens(400)).Encoded, spender.Address);
            var pending2 = Tx(spender, 2, Token.FromTokens(300));
            await AssertAdmitted(chain, pending2);
            var left = initial - Token.FromTokens(600) - Token.FromTokens(300) - 2 * fee;
            await AssertRefused(chain, "one base unit more than what pending transactions leave", AdmissionReason.InsufficientBalance,
                Tx(spender, 0, left - fee + 1).Encoded, spender.Address);

            // A plain overdraft, and its exact boundary (admitted as a gap so that it stays pending).
            var poor = chain.Account(5);
            await AssertRefused(chain, "value + max fee one above the balance", AdmissionReason.InsufficientBalance, Tx(poor, 0, initial - fee + 1).Encoded, poor.Address);
            await AssertAdmitted(chain, Tx(poor, 1, initial - fee));

            // The nonce window: at most MaxNonceGap past the account nonce.
            var eager = chain.Account(4);
            var gap = (ulong)chain.Config.MaxNonceGap;
            await AssertRefused(chain, "a nonce one past the window", AdmissionReason.NonceTooFarAhead, Tx(eager, gap + 1, 1).Encoded, eager.Address);
            await AssertAdmitted(chain, Tx(eager, gap, 1));

            // Two transactions with one nonce in one submission: the first is admitted, the second refused.
            var twin = chain.Account(6);
            var twins = await chain.Admission.Submit([Tx(twin, 1, 1).Encoded, Tx(twin, 1, 2).Encoded]);
            Assert.Equal([AdmissionReason.Ok, AdmissionReason.NonceUsed], twins.Select(r => r.Reason));
            // And one transaction twice in one submission.
            var same = Tx(chain.Account(7), 1, 1);
            var doubled = await chain.Admission.Submit([same.Encoded, same.Encoded]);
            Assert.Equal([AdmissionReason.Ok, AdmissionReason.Duplicate], doubled.Select(r => r.Reason));

            // Filling the gap with exactly the balance that is left makes all three executable: they commit in nonce
            // order and the account ends at zero.
            var fillGap = (await chain.Admission.Submit([Tx(spender, 0, left - fee).Encoded])).Single();
            Assert.Equal(AdmissionReason.Ok, fillGap.Reason);
            var after = await Poll.Until(() => chain.Chain.GetAccounts([spender.Address, to]), a => a[0].Nonce == 3,
                TimeSpan.FromSeconds(30), "the spender's three transfers to commit");
            Assert.Equal(UInt128.Zero, after[0].Balance);
            Assert.Equal(initial + Token.FromTokens(600) + Token.FromTokens(300) + (left - fee), after[1].Balance);
        }
        finally
        {
            await ChainHalt.Halt(chain);
        }
    }

    [Fact]
    public async Task A_full_mempool_pushes_back_and_admits_again_once_a_block_drains_it()
    {
        const int capacity = 8;
        // Long block interval: after the term's first block the next one is seconds away, so nothing drains meanwhile.
        var chain = await TestChain.Start(fixture.Client, "adm-full", c =>
        {
            c.MempoolCapacity = capacity;
            c.BlockIntervalMs = 2_000;
            c.LeaderTimeoutMs = 0; // 4 x the block interval
            c.AttestationTimeoutMs = 2_000;
        }, accounts: capacity + 2);
        try
        {
            var price = chain.Config.MinGasPrice;
            var to = chain.Account(0).Address;
            var fill = Enumerable.Range(0, capacity).Select(i => Transaction.Create(chain.Account(i), chain.Id, to, Token.OneToken, 0, price)).ToArray();
            var extra = Enumerable.Range(capacity, 2).Select(i => Transaction.Create(chain.Account(i), chain.Id, to, Token.OneToken, 0, price)).ToArray();

            // Start right after a block (the term's first comes at once), so the whole window is before the next one.
            var head = await chain.WaitForHeight(1);
            var filled = await chain.Admission.Submit(fill.Select(t => t.Encoded).ToArray());
            Assert.All(filled, r => Assert.Equal(AdmissionReason.Ok, r.Reason));
            Assert.Equal(capacity, (await chain.Mempool.GetStats()).Pending);
            foreach (var tx in extra) await AssertRefused(chain, "a transaction while the mempool is full", AdmissionReason.MempoolFull, tx.Encoded, tx.Sender);
            // Even a transaction already pending is reported as a duplicate rather than as back-pressure.
            await AssertRefused(chain, "a pending transaction while full", AdmissionReason.Duplicate, fill[0].Encoded, fill[0].Sender);
            var stillHead = await chain.Chain.GetHead();
            Assert.True(stillHead.Height == head.Height, $"a block drained the mempool during the back-pressure window (height {head.Height} -> {stillHead.Height}); the window is {chain.Config.BlockIntervalMs} ms");

            // The next block drains it; the refused transactions, unchanged, are admitted now.
            foreach (var tx in fill) await chain.WaitForLevel(tx.Hash, TxLevel.SoftConfirmed);
            await Poll.Until(() => chain.Mempool.GetStats(), s => s.Pending == 0, TimeSpan.FromSeconds(15), "the mempool to drain");
            var retried = await chain.Admission.Submit(extra.Select(t => t.Encoded).ToArray());
            Assert.All(retried, r => Assert.Equal(AdmissionReason.Ok, r.Reason));
            Assert.True(retried.All(r => r.ArrivalSequence > filled.Max(f => f.ArrivalSequence)), "admitted after the drained ones");
            Assert.Equal(extra.Length, (await chain.Mempool.GetStats()).Pending);
        }
        finally
        {
            await ChainHalt.Halt(chain);
        }
    }

    // ------------------------------------------------------------------ helpers

    private sealed record Observation(Hash32 StateRoot, int Pending, Account[] Accounts)
    {
        public bool Equals(Observation? other) =>
            other is not null && StateRoot == other.StateRoot && Pending == other.Pending && Accounts.SequenceEqual(other.Accounts);

        public override int GetHashCode() => HashCode.Combine(StateRoot, Pending, Accounts.Length);

        public override string ToString() => $"root {StateRoot.ToHex()[..12]}, {Pending} pending, accounts [{string.Join(", ", Accounts)}]";
    }

    private static async Task<Observation> Observe(TestChain chain, params Address[] senders)
    {
        var head = await chain.Chain.GetHead();
        var stats = await chain.Mempool.GetStats();
        var accounts = senders.Length == 0 ? [] : await chain.Chain.GetAccounts(senders);
        return new Observation(head.StateRoot, stats.Pending, accounts);
    }

    /// <summary>Submits one transaction and checks the reason, that it got no arrival sequence, and that nothing changed.</summary>
    private static async Task AssertRefused(TestChain chain, string what, AdmissionReason expected, byte[] encoded, Address? sender)
    {
        Address[] senders = sender is { } s ? [s] : [];
        var before = await Observe(chain, senders);
        var result = (await chain.Admission.Submit([encoded])).Single();
        Assert.True(result.Reason == expected, $"{what}: expected {expected}, got {result.Reason}");
        Assert.Equal(0UL, result.ArrivalSequence);
        var after = await Observe(chain, senders);
        Assert.True(before.Equals(after), $"{what}: the refusal changed something: before {before}; after {after}");
    }

    private static async Task AssertAdmitted(TestChain chain, Transaction tx)
    {
        var before = (await chain.Mempool.GetStats()).Pending;
        var result = (await chain.Admission.Submit([tx.Encoded])).Single();
        Assert.True(result.Reason == AdmissionReason.Ok, $"{tx}: expected Ok, got {result.Reason}");
        Assert.True(result.ArrivalSequence > 0);
        Assert.Equal(tx.Hash, result.Hash);
        Assert.Equal(before + 1, (await chain.Mempool.GetStats()).Pending);
    }

    // Offsets in the version-1 encoding: u8 version | u8 len, chain id | 32 sender key | 20 recipient | u128 value | ...
    private static int SenderKeyOffset(string chainId) => 2 + chainId.Length;
    private static int ValueOffset(string chainId) => SenderKeyOffset(chainId) + Ed25519.PublicKeySize + Address.Size;

    private static byte[] Flip(byte[] bytes, int index)
    {
        var copy = bytes.ToArray();
        copy[index] ^= 0x01;
        return copy;
    }

    private static byte[] Splice(byte[] bytes, int offset, byte[] replacement)
    {
        var copy = bytes.ToArray();
        replacement.CopyTo(copy, offset);
        return copy;
    }
}
