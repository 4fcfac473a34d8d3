using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;

namespace ActorRollup.Core.Tests.Primitives;

public class PrimitivesTests
{
    [Fact]
    public void Address_is_last_20_bytes_of_domain_tagged_sha256_of_public_key()
    {
        var key = TestKeys.Get(1);
        var expected = System.Security.Cryptography.SHA256.HashData([.. "ActorRollup/address/v1"u8.ToArray(), .. key.PublicKey])[12..];
        Assert.Equal(expected, key.Address.ToArray());
        Assert.Equal("0x" + Convert.ToHexStringLower(expected), key.Address.ToString());
        Assert.Equal(key.Address, Address.Parse(key.Address.ToString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0x1234")]
    [InlineData("0xzz00000000000000000000000000000000000000")]
    [InlineData("0x00000000000000000000000000000000000000000000")]
    public void Address_parse_rejects_malformed_text(string text) => Assert.False(Address.TryParse(text, out _));

    [Fact]
    public void Key_derivation_is_deterministic_and_index_sensitive()
    {
        using var a = SigningKey.Derive("seed", 7);
        using var b = SigningKey.Derive("seed", 7);
        using var c = SigningKey.Derive("seed", 8);
        using var d = SigningKey.Derive("other", 7);
        Assert.Equal(a.PublicKey, b.PublicKey);
        Assert.NotEqual(a.PublicKey, c.PublicKey);
        Assert.NotEqual(a.PublicKey, d.PublicKey);
        var expectedSeed = System.Security.Cryptography.SHA256.HashData(
            [.. "ActorRollup/key/v1"u8.ToArray(), 0, 0, 0, 4, .. "seed"u8.ToArray(), 0, 0, 0, 0, 0, 0, 0, 7]);
        Assert.Equal(expectedSeed, SigningKey.DeriveSeed("seed", 7));
    }

    [Fact]
    public void Ed25519_matches_rfc8032_test_vector_1()
    {
        // RFC 8032 §7.1, TEST 1: empty message.
        var seed = Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        using var key = SigningKey.FromSeed(seed);
        Assert.Equal("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", Convert.ToHexStringLower(key.PublicKey));
        var signature = key.Sign([]);
        Assert.Equal("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
            Convert.ToHexStringLower(signature));
        Assert.True(Ed25519.Verify(key.PublicKey, [], signature));
    }

    [Fact]
    public void Ed25519_verify_rejects_tampering_and_malformed_input_without_throwing()
    {
        var key = TestKeys.Get(2);
        var message = "hello"u8.ToArray();
        var signature = key.Sign(message);
        Assert.True(Ed25519.Verify(key.PublicKey, message, signature));
        Assert.False(Ed25519.Verify(key.PublicKey, "hellp"u8, signature));
        var bad = (byte[])signature.Clone();
        bad[10] ^= 1;
        Assert.False(Ed25519.Verify(key.PublicKey, message, bad));
        Assert.False(Ed25519.Verify(TestKeys.Get(3).PublicKey, message, signature));
        Assert.False(Ed25519.Verify(new byte[31], message, signature));
        Assert.False(Ed25519.Verify(key.PublicKey, message, new byte[63]));
        Assert.False(Ed25519.Verify(new byte[32], message, new byte[64]));
    }

    [Theory]
    [InlineData("1", "1000000000000000000")]
    [InlineData("0.000761", "761000000000000")]
    [InlineData("20000", "20000000000000000000000")]
    [InlineData("12wei", "12")]
    [InlineData("1.000000000000000001", "1000000000000000001")]
    public void Token_amounts_parse_exactly(string text, string baseUnits)
    {
        Assert.True(Token.TryParse(text, out var value));
        Assert.Equal(UInt128.Parse(baseUnits), value);
        Assert.True(Token.TryParse(Token.Format(value), out var back));
        Assert.Equal(value, back);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("1.0000000000000000001")]
    [InlineData("1e5")]
    [InlineData("400000000000000000000")] // 4e20 tokens = 4e38 base units > 2^128
    public void Token_parse_rejects_bad_or_overflowing_amounts(string text) => Assert.False(Token.TryParse(text, out _));

    [Fact]
    public void Hash32_bits_and_first_differing_bit_agree_with_bytes()
    {
        var bytes = new byte[32];
        bytes[0] = 0b1000_0000;
        bytes[9] = 0b0000_0100;
        var h = Hash32.FromBytes(bytes);
        Assert.Equal(1, h.Bit(0));
        Assert.Equal(0, h.Bit(1));
        Assert.Equal(1, h.Bit(77));
        Assert.Equal(bytes, h.ToArray());
        Assert.Equal(0, h.FirstDifferingBit(Hash32.Zero));
        var g = Hash32.FromBytes([0b1000_0000, .. new byte[31]]);
        Assert.Equal(77, h.FirstDifferingBit(g));
        Assert.Equal(256, h.FirstDifferingBit(h));
        Assert.True(g.CompareTo(h) < 0);
    }
}
