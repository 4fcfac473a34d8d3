using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;
using ActorRollup.Harness.LoadTest;

namespace ActorRollup.Harness.Tests;

public sealed class StreamingAccountingTests
{
    private static SigningKey[] Keys(int n) => Core.Execution.Genesis.LoadTestKeys("stream-test/loadtest", n);

    private static LookaheadSigner Signer(int accounts, int perAccount, int workers, int lookahead, string chain = "stream-test") =>
        new(LoadTestKeys.Native(Keys(accounts), chain), Enumerable.Repeat(1UL, accounts).ToArray(), perAccount, workers, lookahead);

    private static Task<(Address, ulong)?> NoResolve(int _) => Task.FromResult<(Address, ulong)?>(null);

    [Fact]
    public async Task Lost_and_committed_are_exact_whatever_order_admission_and_commit_arrive_in()
    {
        using var signer = Signer(2, 3, 1, 10);
        signer.Prime();
        var txs = Drain(signer);
        var ledger = new TxLedger(signer.Accounts);
        foreach (var t in txs) ledger.Offer(t);
        // tx 0, 1 admitted then committed; tx 2 committed before its admission is recorded; tx 3 admitted, never committed.
        ledger.Admit(txs[0].Hash);
        ledger.Admit(txs[1].Hash);
        Assert.Equal(0, await ledger.CommitAsync([txs[0].Hash, txs[1].Hash, txs[2].Hash], NoResolve));
        ledger.Admit(txs[2].Hash);
        ledger.Admit(txs[3].Hash);
        ledger.Admit(txs[3].Hash); // a retry answered again: counted once
        Assert.Equal(4, ledger.Admitted);
        Assert.Equal(3, ledger.Committed);
        Assert.Equal(1, ledger.Pending);
        Assert.Equal(0, ledger.Duplicated);
        // Only what is in flight stays: the never-admitted offers (4, 5) and the pending one (3).
        Assert.Equal(3, ledger.Open);
    }

    [Fact]
    public async Task A_second_commit_counts_one_duplicate_per_hash_resolved_through_the_block()
    {
        using var signer = Signer(1, 2, 1, 10);
        signer.Prime();
        var txs = Drain(signer);
        var ledger = new TxLedger(signer.Accounts);
        foreach (var t in txs) ledger.Offer(t);
        ledger.Admit(txs[0].Hash);
        await ledger.CommitAsync([txs[0].Hash], NoResolve);
        Assert.Equal(1, ledger.Open); // only tx 1 left
        int asked = 0;
        Task<(Address, ulong)?> Resolve(int i) { asked++; return Task.FromResult<(Address, ulong)?>((txs[0].Sender, txs[0].Nonce)); }
        // The ledger no longer holds tx 0: it asks for its (sender, nonce), finds the nonce committed: a duplicate.
        Assert.Equal(0, await ledger.CommitAsync([txs[0].Hash], Resolve));
        Assert.Equal(0, await ledger.CommitAsync([txs[0].Hash], Resolve)); // a third time: still one hash duplicated
        Assert.Equal(2, asked);
        Assert.Equal(1, ledger.Duplicated);
        Assert.Equal(1, ledger.Committed);
        // An unreadable unknown hash is reported, not guessed.
        Assert.Equal(1, await ledger.CommitAsync([new Hash32(1, 2, 3, 4)], NoResolve));
    }

    [Fact]
    public async Task Only_final_blocks_count_so_a_rolled_back_block_never_adds_and_its_replacement_counts_once()
    {
        // The run folds a block into the ledger once it is final: a non-final block a rollback replaced is never
        // folded; its transactions, re-included in the replacement, count there once.
        using var signer = Signer(1, 2, 1, 10);
        signer.Prime();
        var txs = Drain(signer);
        var ledger = new TxLedger(signer.Accounts);
        foreach (var t in txs) { ledger.Offer(t); ledger.Admit(t.Hash); }
        Assert.Equal(2, ledger.Pending);
        await ledger.CommitAsync([txs[0].Hash, txs[1].Hash], NoResolve); // the replacement block, final
        Assert.Equal(2, ledger.Committed);
        Assert.Equal(0, ledger.Duplicated);
        Assert.Equal(0, ledger.Open);
    }

    [Fact]
    public async Task The_signer_keeps_a_bounded_lookahead_and_signs_the_same_sequence_as_signing_everything_up_front()
    {
        using var signer = Signer(accounts: 5, perAccount: 7, workers: 2, lookahead: 4);
        Assert.Equal(8, signer.Prime()); // 4 per worker, no more
        Assert.Equal(4, signer.Reader(0).Count);
        signer.Start();
        var seen = new List<Transaction>[2];
        for (int w = 0; w < 2; w++)
        {
            seen[w] = [];
            var reader = signer.Reader(w);
            while (await reader.WaitToReadAsync())
                while (reader.TryRead(out var t))
                {
                    seen[w].Add(t);
                    Assert.True(reader.Count <= 4);
                }
        }
        Assert.Equal(35, signer.Signed);
        // Worker w owns accounts w, w+2, ...; round by round, nonces in order per account; deterministic from the seed.
        using var again = Signer(5, 7, 2, 100);
        for (int w = 0; w < 2; w++)
        {
            var mine = Enumerable.Range(0, 5).Where(a => a % 2 == w).ToArray();
            var expected = Enumerable.Range(0, 7).SelectMany(n => mine.Select(a => again.Sign(a, (ulong)n).Hash)).ToArray();
            Assert.Equal(expected, seen[w].Select(t => t.Hash).ToArray());
        }
    }

    [Fact]
    public void The_stamped_series_counts_the_window_and_the_seconds_as_the_full_log_did()
    {
        var window = new MeasuredWindow(2_000, 5_000);
        var series = new StampedSeries(window, 0);
        var log = new List<(long, long)> { (100, 1), (1_999, 2), (2_000, 3), (4_999, 4), (5_000, 5), (-5, 6) };
        foreach (var (at, n) in log) series.Add(at, n);
        Assert.Equal(window.CountIn(log), series.InWindow);
        Assert.Equal(window.PerSecond(0, log), series.PerSecond());
    }

    [Fact]
    public void The_breakdown_accumulator_gives_the_list_forms_figures()
    {
        var blocks = Enumerable.Range(1, 50).Select(h => new Abstractions.Messages.BlockView((ulong)h, default, default, 1, 1, "p", default, default, 3,
            [], 0, 0, 1_000 + h * 100, 1_050 + h * 100 + h % 7, 0, 0, [], [900 + h * 100, 950 + h * 100, 0], 0) { AppendReceivedAtMs = 1_020 + h * 100 }).ToList();
        var acc = new LatencyBreakdown.Accumulator(_ => true);
        foreach (var b in blocks) acc.Add(b);
        Assert.Equal(LatencyBreakdown.SoftConfirm(blocks, _ => true), acc.SoftConfirm);
        Assert.Equal(LatencyBreakdown.BlockInterval(blocks, _ => true), acc.BlockInterval);
    }

    private static List<Transaction> Drain(LookaheadSigner signer)
    {
        var all = new List<Transaction>();
        for (int w = 0; w < signer.Workers; w++)
            while (signer.Reader(w).TryRead(out var t)) all.Add(t);
        return all;
    }
}
