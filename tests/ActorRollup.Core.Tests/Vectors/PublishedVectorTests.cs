using System.Text.Json;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Encoding;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;

namespace ActorRollup.Core.Tests.Vectors;

/// <summary>
/// Published Ethereum transaction vectors (Vectors/SOURCE.md: ethereum/tests' TransactionTests, ethers' and
/// ethereumjs' type-2 transactions, and cases derived from the EIP-155 example), each run through
/// <see cref="TransactionRules.CheckStateless(ReadOnlySpan{byte}, ChainParameters, out Transaction?, bool)"/> on a
/// chain carrying the case's numeric chain id. Every case states its outcome: accepted with its hash and sender, or
/// refused with an <see cref="AdmissionReason"/> — and, where that differs from Ethereum's verdict, why.
/// </summary>
public class PublishedVectorTests
{
    public static readonly string[] Files = ["ethereum-tests.json", "ethers-transactions.json", "ethereumjs-eip1559.json", "derived.json"];

    private static readonly Lazy<Dictionary<string, JsonDocument>> Documents = new(() =>
        Files.ToDictionary(f => f, f => JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Vectors", f)))));

    private static IEnumerable<JsonElement> CasesOf(string file) => Documents.Value[file].RootElement.GetProperty("cases").EnumerateArray();

    private static JsonElement Case(string file, string name) => CasesOf(file).Single(c => c.GetProperty("name").GetString() == name);

    private static byte[] Bytes(string hex) => Convert.FromHexString(hex.StartsWith("0x", StringComparison.Ordinal) ? hex[2..] : hex);

    private static string? Text(JsonElement e, string property) => e.TryGetProperty(property, out var p) ? p.GetString() : null;

    public static TheoryData<string, string> AllCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Files)
            foreach (var c in CasesOf(file)) data.Add(file, c.GetProperty("name").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public void Each_case_is_accepted_with_its_hash_and_sender_or_refused_with_its_stated_reason(string file, string name)
    {
        var c = Case(file, name);
        var defaults = Documents.Value[file].RootElement.GetProperty("chain");
        var chain = new ChainParameters
        {
            ChainId = "vectors",
            EthChainId = c.GetProperty("chainId").GetUInt64(),
            MinGasPrice = defaults.GetProperty("minGasPrice").GetUInt64(),
            MaxTransactionBytes = defaults.GetProperty("maxTransactionBytes").GetInt32(),
        };
        var raw = Bytes(c.GetProperty("txbytes").GetString()!);
        var expected = Enum.Parse<AdmissionReason>(c.GetProperty("expected").GetString()!);

        var reason = TransactionRules.CheckStateless(raw, chain, out var tx);

        Assert.True(expected == reason, $"{file} {name}: expected {expected}, got {reason} — {Text(c, "why")}");
        if (expected != AdmissionReason.Ok)
        {
            Assert.Null(tx);
            return;
        }
        Assert.NotNull(tx);
        Assert.Equal(Hash32.Parse(c.GetProperty("hash").GetString()!), tx.Hash);
        Assert.Equal(Address.Parse(c.GetProperty("sender").GetString()!), tx.Sender);
        Assert.Equal(raw, tx.Encoded);
        Assert.Equal(chain.EthChainId, tx.EthChainId);
        if (c.TryGetProperty("ethereum", out var ethereum))
        {
            // The suite's own figures, not only the generator's copy of them.
            Assert.Equal(Hash32.Parse(ethereum.GetProperty("hash").GetString()!), tx.Hash);
            Assert.Equal(Address.Parse(ethereum.GetProperty("sender").GetString()!), tx.Sender);
        }
        if (Text(c, "signer") is { } signer)
        {
            bool changed = c.TryGetProperty("signedFieldsChanged", out var ch) && ch.GetBoolean();
            Assert.Equal(!changed, Address.Parse(signer) == tx.Sender);
        }
    }

    public static TheoryData<string> PreEip155RecoveryCases()
    {
        var data = new TheoryData<string>();
        foreach (var c in CasesOf("ethereum-tests.json"))
            if (c.TryGetProperty("preEip155Recovery", out _)) data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    /// <summary>
    /// The suite's pre-EIP-155 cases (v = 27/28) are refused as WrongChain before their signatures are judged, so their
    /// signatures — r or s of 1, s = n/2 exactly, s above n/2, r or s of 0 or ≥ n, a point at infinity — are checked
    /// here against <see cref="Secp256k1.TryRecover"/> alone: it recovers the suite's sender, or refuses what the suite refuses.
    /// </summary>
    [Theory]
    [MemberData(nameof(PreEip155RecoveryCases))]
    public void Pre_eip155_signatures_recover_the_suites_sender_or_fail_where_it_fails(string name)
    {
        var c = Case("ethereum-tests.json", name);
        var expectation = c.GetProperty("preEip155Recovery");
        var outer = new RlpReader(Bytes(c.GetProperty("txbytes").GetString()!));
        var list = outer.ReadList("transaction");
        var signed = new RlpWriter();
        for (int i = 0; i < 6; i++) signed.String(list.ReadString("field"));
        list.ReadString("v");
        Span<byte> r = stackalloc byte[32], s = stackalloc byte[32];
        Pad(list.ReadString("r"), r);
        Pad(list.ReadString("s"), s);
        Span<byte> digest = stackalloc byte[32];
        Keccak.Hash(signed.ToList(), digest);
        Span<byte> publicKey = stackalloc byte[64];

        bool recovered = Secp256k1.TryRecover(digest, r, s, expectation.GetProperty("recoveryId").GetInt32(), publicKey);

        if (Text(expectation, "sender") is { } sender)
        {
            Assert.True(recovered, $"{name}: the suite recovers {sender}");
            Assert.Equal(Address.Parse(sender), Secp256k1.AddressOf(publicKey));
        }
        else Assert.False(recovered, $"{name}: the suite refuses this signature");
    }

    private static void Pad(ReadOnlySpan<byte> value, Span<byte> destination32)
    {
        destination32.Clear();
        value.CopyTo(destination32[(32 - value.Length)..]);
    }

    [Fact]
    public void The_vector_files_cover_acceptance_and_every_refusal_kind_the_issue_names()
    {
        var all = Files.SelectMany(CasesOf).ToList();
        var byReason = all.GroupBy(c => c.GetProperty("expected").GetString()!).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(all.Count >= 300, $"{all.Count} cases");
        foreach (var reason in new[] { "Ok", "WrongChain", "BadSignature", "BadEncoding", "AmountOverflow", "Unsupported", "GasLimitTooLow", "TooLarge" })
            Assert.True(byReason.GetValueOrDefault(reason) > 0, $"no case expects {reason}");
        // Accepted cases of both formats, each with a published or independently computed sender.
        Assert.True(all.Count(c => c.GetProperty("expected").GetString() == "Ok" && Bytes(c.GetProperty("txbytes").GetString()!)[0] == 2) >= 20);
        Assert.True(all.Count(c => c.GetProperty("expected").GetString() == "Ok" && Bytes(c.GetProperty("txbytes").GetString()!)[0] >= 0xc0) >= 20);
        Assert.True(PreEip155RecoveryCases().Count >= 40);
    }
}
