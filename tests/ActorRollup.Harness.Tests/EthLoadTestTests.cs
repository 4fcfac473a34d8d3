using System.CommandLine;
using System.Text.Json;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;
using ActorRollup.Harness.Commands;
using ActorRollup.Harness.LoadTest;

namespace ActorRollup.Harness.Tests;

/// <summary>loadtest --tx-format: the option, the eth traffic's signing and rate, the ceiling it is compared with, and
/// results written before the option (read as native).</summary>
public sealed class EthLoadTestOptionTests
{
    private static ParseResult Parse(params string[] args) => LoadTestCommand.Create().Parse(args);

    [Theory]
    [InlineData(new string[0], "native")]
    [InlineData(new[] { "--tx-format", "native" }, "native")]
    [InlineData(new[] { "--tx-format", "eth" }, "eth")]
    [InlineData(new[] { "--quick", "--tx-format", "eth" }, "eth")]
    public void Tx_format_parses_and_defaults_to_native(string[] args, string expected)
    {
        var parse = Parse(args);
        Assert.Empty(parse.Errors);
        var text = parse.GetValue<string>("--tx-format");
        Assert.Equal(expected, text);
        Assert.True(LoadTestTxFormats.TryParse(text, out var format));
        Assert.Equal(expected, format.Name());
    }

    [Theory]
    [InlineData("ethereum")]
    [InlineData("ETH")]
    [InlineData("ed25519")]
    [InlineData("")]
    public async Task An_unknown_tx_format_is_refused_with_one_line_before_anything_runs(string value)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await Cli.RunAsync(["loadtest", "--tx-format", value], stdout, stderr);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Equal("", stdout.ToString());
        Assert.Equal($"error: --tx-format must be native or eth, got '{value}'", Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void The_default_options_are_native()
    {
        Assert.Equal(LoadTestTxFormat.Native, new LoadTestOptions().TxFormat);
        Assert.False(LoadTestRun.PresignsEverything(LoadTestTxFormat.Native));
        Assert.True(LoadTestRun.PresignsEverything(LoadTestTxFormat.Eth));
    }

    [Fact]
    public void Rate_max_follows_the_ceiling_of_the_format()
    {
        var ceilings = new CeilingResult(Ed25519VerifyPerSec: 60_000, OrleansCallsPerSec: 100_000, Secp256k1RecoverPerSec: 24_000);
        // native: half the Ed25519 ceiling, at least 20,000/s; eth: a share of the recovery ceiling (not the Ed25519 one).
        Assert.Equal(30_000, LoadTestRun.MaxRatePerSecond(new LoadTestOptions(), ceilings));
        Assert.Equal(20_000, LoadTestRun.MaxRatePerSecond(new LoadTestOptions(), ceilings with { Ed25519VerifyPerSec = 10_000 }));
        Assert.Equal(24_000 * LoadTestRun.EthMaxRateShare, LoadTestRun.MaxRatePerSecond(new LoadTestOptions { TxFormat = LoadTestTxFormat.Eth }, ceilings));
        Assert.Equal(48_000 * LoadTestRun.EthMaxRateShare,
            LoadTestRun.MaxRatePerSecond(new LoadTestOptions { TxFormat = LoadTestTxFormat.Eth }, ceilings with { Secp256k1RecoverPerSec = 48_000 }));
        Assert.True(LoadTestRun.EthMaxRateShare > 0.5, "the supply must exceed the 50 % the chain is measured against");
        // A given rate wins in either format.
        Assert.Equal(300, LoadTestRun.MaxRatePerSecond(new LoadTestOptions { Rate = 300, TxFormat = LoadTestTxFormat.Eth }, ceilings));
        Assert.Equal(300, LoadTestRun.MaxRatePerSecond(new LoadTestOptions { Rate = 300 }, ceilings));
    }

    [Fact]
    public void A_run_is_compared_with_its_formats_signature_ceiling()
    {
        var ceilings = new CeilingResult(20_000, 100_000, 25_000);
        Assert.Equal(("ed25519VerifyPerSec", 20_000.0), ceilings.SignatureCeiling(LoadTestTxFormat.Native));
        Assert.Equal(("secp256k1RecoverPerSec", 25_000.0), ceilings.SignatureCeiling(LoadTestTxFormat.Eth));
        // A native invocation measures no recovery ceiling: it is absent from results.json.
        var json = JsonSerializer.Serialize(new CeilingResult(20_000, 100_000));
        Assert.DoesNotContain("secp256k1RecoverPerSec", json);
        Assert.Contains("secp256k1RecoverPerSec", JsonSerializer.Serialize(ceilings));
        Assert.Equal("; 51.2 % of the secp256k1 recovery ceiling",
            ReportWriter.CeilingShare(new RunResult { LatencyMs = null!, AttestationRttMs = null!, CommittedToSignatureCeiling = 0.512, SignatureCeiling = "secp256k1RecoverPerSec" }));
        Assert.Equal("-", ReportWriter.Percent(null));
    }

    [Fact]
    public void Eth_load_test_keys_sign_type_2_transfers_for_the_chains_id_that_decode_to_their_account()
    {
        const ulong chainId = 31_337, baseFee = 1_000_000_000;
        var keys = Enumerable.Range(0, 3).Select(i => EthKey.Derive("loadtest-1/loadtest", (ulong)i)).ToArray();
        using var accounts = LoadTestKeys.Eth(keys, chainId, baseFee);
        Assert.Equal(LoadTestTxFormat.Eth, accounts.Format);
        Assert.Equal(keys.Select(k => k.Address), accounts.Addresses);
        foreach (var price in new[] { baseFee, 3 * baseFee })
        {
            var tx = accounts.Transfer(1, accounts.Addresses[2], 1_234, 7, price);
            var decoded = TransactionCodec.Decode(tx.Encoded);
            Assert.Equal(TxFormat.EthDynamicFee, decoded.Format);
            Assert.Equal(keys[1].Address, decoded.Sender);
            Assert.Equal(accounts.Addresses[2], decoded.Recipient);
            Assert.Equal(chainId, decoded.EthChainId);
            Assert.Equal(7UL, decoded.Nonce);
            Assert.Equal((UInt128)1_234, decoded.Value);
            Assert.Equal(LoadTestKeys.TransferGas, decoded.GasLimit);
            // What the account pays per gas is the price asked for, as a native transfer's gas price is.
            Assert.Equal(price, decoded.EffectiveGasPrice(baseFee));
            Assert.True(decoded.GasPrice >= baseFee);
        }
    }

    [Fact]
    public void Native_load_test_keys_sign_native_transfers_for_the_chain()
    {
        var keys = Core.Execution.Genesis.LoadTestKeys("loadtest-1/loadtest", 2);
        var addresses = keys.Select(k => k.Address).ToArray();
        using var accounts = LoadTestKeys.Native(keys, "lt-x-c4");
        var tx = TransactionCodec.Decode(accounts.Transfer(0, addresses[1], 5, 0, 1_000_000_000).Encoded);
        Assert.Equal(TxFormat.Native, tx.Format);
        Assert.Equal(addresses[0], tx.Sender);
        Assert.Equal("lt-x-c4", tx.ChainId);
        Assert.True(tx.VerifySignature());
    }

    [Fact]
    public void Results_written_before_the_option_read_as_native()
    {
        var run = JsonSerializer.Deserialize<RunResult>("""{"committeeSize":4,"committedTps":10,"latencyMs":null,"attestationRttMs":null}""")!;
        Assert.Equal("native", run.TxFormat);
        Assert.Null(run.CommittedToSignatureCeiling);
        var ceilings = JsonSerializer.Deserialize<CeilingResult>("""{"ed25519VerifyPerSec":20000,"orleansCallsPerSec":100000}""")!;
        Assert.Null(ceilings.Secp256k1RecoverPerSec);
    }
}

/// <summary>
/// One short real load test with Ethereum traffic on the embedded silo (committee 4, 300 tx/s for 3 s): the chain
/// commits EIP-1559 transfers signed by its Ethereum load-test accounts, nothing admitted is lost or duplicated, supply
/// is conserved, the audit passes, and results.json carries the format, the recovery ceiling and the recoveries.
/// </summary>
public sealed class EthLoadTestSmokeTests
{
    [Fact]
    public async Task A_short_eth_loadtest_commits_loses_nothing_and_passes_the_audit()
    {
        var output = Path.Combine(Path.GetTempPath(), "actorrollup-eth-smoke-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var exit = await Cli.RunAsync(["loadtest", "--tx-format", "eth", "--committee", "4", "--validators", "2", "--accounts", "200", "--rate", "300",
                "--duration", "3s", "--warmup", "1s", "--drain", "30s", "--block-interval", "100", "--leader-timeout", "2000", "--out", output], stdout, stderr);
            Assert.True(exit == 0, $"exit {exit}: {stderr}\n{stdout}");
            try
            {
                await CheckResults(output, stdout.ToString());
            }
            catch (Xunit.Sdk.XunitException e)
            {
                // Whatever failed, with the run's own account of itself.
                throw new Xunit.Sdk.XunitException($"{e.Message}\n--- the run's output:\n{stdout}");
            }
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }

    private static async Task CheckResults(string output, string stdout)
    {
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "results.json")));
        var root = json.RootElement;
        var recoverCeiling = root.GetProperty("ceilings").GetProperty("secp256k1RecoverPerSec").GetDouble();
        Assert.True(recoverCeiling > 0);
        var run = Assert.Single(root.GetProperty("runs").EnumerateArray());
        Assert.Equal("eth", run.GetProperty("txFormat").GetString());
        var committed = run.GetProperty("txCommitted").GetInt64();
        var admitted = run.GetProperty("txAdmitted").GetInt64();
        Assert.True(committed > 0, stdout);
        Assert.True(run.GetProperty("committedTps").GetDouble() > 0, stdout);
        Assert.Equal(0, run.GetProperty("txLost").GetInt64());
        Assert.Equal(0, run.GetProperty("txDuplicated").GetInt64());
        Assert.Equal(0, run.GetProperty("txRefused").GetInt64());
        Assert.True(run.GetProperty("supplyConserved").GetBoolean(), stdout);
        var audit = run.GetProperty("audit");
        Assert.True(audit.GetProperty("passed").GetBoolean(), audit.ToString());
        Assert.True(audit.GetProperty("transactions").GetInt64() >= committed, audit.ToString());

        // Compared with the recovery ceiling, not the Ed25519 one.
        Assert.Equal("secp256k1RecoverPerSec", run.GetProperty("signatureCeiling").GetString());
        var share = run.GetProperty("committedToSignatureCeiling").GetDouble();
        // (results.json rounds it to 4 decimals: a tolerance, not a rounding of both, which could land on either side of a digit)
        Assert.Equal(run.GetProperty("committedTps").GetDouble() / recoverCeiling, share, 0.00006);
        // The embedded silo recovered every admitted transaction's sender (this process counts every decode).
        var recovery = run.GetProperty("senderRecovery");
        Assert.True(recovery.GetProperty("recovered").GetInt64() >= admitted, recovery.ToString());
        Assert.True(recovery.GetProperty("perAdmittedTx").GetDouble() >= 1, recovery.ToString());
        // The whole run's traffic was signed before the clock started.
        Assert.Equal(run.GetProperty("signedTx").GetInt64(), run.GetProperty("presignedTx").GetInt64());

        Assert.Contains("| eth |", await File.ReadAllTextAsync(Path.Combine(output, "summary.md")));
        Assert.Contains("of the secp256k1 recovery ceiling", stdout);
        Assert.Contains(",eth,", (await File.ReadAllLinesAsync(Path.Combine(output, "results.csv")))[1]);
    }
}
