using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;

namespace ActorRollup.Core.Tests.Crypto;

/// <summary>The project's own Keccak-256 against published digests and, for every length across the sponge's block
/// boundaries, against Nethereum.Util's independent implementation.</summary>
public class KeccakTests
{
    private static string Hex(ReadOnlySpan<byte> data) => Keccak.Hash(data).ToHex();

    [Theory]
    // The empty input and "abc" (Keccak-256 with the original padding, as Ethereum uses it).
    [InlineData("", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")]
    [InlineData("616263", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")]
    // EIP-155's example (https://eips.ethereum.org/EIPS/eip-155, "Example"; CC0): its signing data and signing hash.
    [InlineData("ec098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080018080",
        "daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53")]
    public void Published_digests(string inputHex, string digest) => Assert.Equal(digest, Hex(Convert.FromHexString(inputHex)));

    [Fact]
    public void Every_length_up_to_four_blocks_matches_nethereum()
    {
        var reference = new Nethereum.Util.Sha3Keccack();
        var random = new Random(13);
        for (int length = 0; length <= 4 * 136 + 1; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(Convert.ToHexStringLower(reference.CalculateHash(data)), Hex(data));
        }
    }

    [Fact]
    public void The_span_overload_writes_the_same_digest_and_threads_do_not_interfere()
    {
        var inputs = Enumerable.Range(0, 2_000).Select(i => BitConverter.GetBytes(i).Concat(new byte[i % 300]).ToArray()).ToArray();
        var sequential = inputs.Select(d => Keccak.Hash(d)).ToArray();
        var parallel = new Hash32[inputs.Length];
        Parallel.For(0, inputs.Length, i =>
        {
            Span<byte> digest = stackalloc byte[32];
            Keccak.Hash(inputs[i], digest);
            parallel[i] = Hash32.FromBytes(digest);
        });
        Assert.Equal(sequential, parallel);
        Assert.Throws<ArgumentException>(() => Keccak.Hash([1, 2, 3], new byte[31]));
    }
}
