using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ActorRollup.Core.Scheduling;

/// <summary>
/// PROTOCOL §6 <c>stake-lottery</c>: "a stake-weighted draw with replacement over the members sorted by id, from
/// a seed derived by hashing the epoch number, with a documented, portable deterministic generator
/// (counter-mode hashing with rejection sampling)". The generator, byte for byte (also in docs/SCHEDULING.md):
/// <list type="number">
/// <item>epochSeed = SHA-256("ActorRollup/lottery/v1" ‖ u64be(seed) ‖ u64be(epoch) ‖ u64be(term)), the tag
/// as its 22 ASCII bytes without terminator or length prefix.</item>
/// <item>block_i = SHA-256(epochSeed ‖ u64be(i)) for i = 0, 1, 2, …; x_i = the first 8 bytes of block_i read
/// as an unsigned big-endian 64-bit integer.</item>
/// <item>Eligible members = members not in the excluded set, sorted by id (<see cref="MemberIdComparer"/>,
/// UTF-8 byte order); P = their total power.</item>
/// <item>The first x_i with x_i &lt; 2^64 − (2^64 mod P) is accepted (rejection sampling removes modulo
/// bias); r = x_i mod P.</item>
/// <item>The leader is the first eligible member, in id order, whose cumulative power (its own power plus
/// that of the eligible members before it) exceeds r.</item>
/// </list>
/// Re-span: the replacement after a failover is <see cref="Draw"/> with the new leadership term (&gt; 0) and the
/// failed leaders excluded; term 0 is the epoch's scheduled draw.
/// </summary>
public static class StakeLottery
{
    /// <summary>Domain-separation tag hashed in front of the epoch seed.</summary>
    public static ReadOnlySpan<byte> DomainTag => "ActorRollup/lottery/v1"u8;

    /// <summary>
    /// Draws the leader of <paramref name="epoch"/> (term <paramref name="term"/>) among
    /// <paramref name="members"/> minus <paramref name="excluded"/>; null when no member is eligible.
    /// Member input order is irrelevant.
    /// </summary>
    /// <exception cref="ArgumentException">The members are not a valid committee (see <see cref="CommitteeValidation"/>).</exception>
    public static string? Draw(
        IReadOnlyList<CommitteeMember> members,
        ulong seed,
        ulong epoch,
        ulong term = 0,
        IReadOnlySet<string>? excluded = null)
    {
        ArgumentNullException.ThrowIfNull(members);
        CommitteeValidation.ThrowIfInvalid(members, nameof(members));

        var eligible = members
            .Where(m => excluded is null || !excluded.Contains(m.Id))
            .OrderBy(m => m.Id, MemberIdComparer.Instance)
            .ToArray();
        if (eligible.Length == 0) return null;

        ulong total = 0;
        foreach (var m in eligible) total += (ulong)m.Power; // validated: <= long.MaxValue/8

        ulong r = SampleBelow(EpochSeed(seed, epoch, term), total);
        ulong cumulative = 0;
        foreach (var m in eligible)
        {
            cumulative += (ulong)m.Power;
            if (cumulative > r) return m.Id;
        }

        throw new InvalidOperationException("unreachable: r < P");
    }

    /// <summary>epochSeed = SHA-256("ActorRollup/lottery/v1" ‖ u64be(seed) ‖ u64be(epoch) ‖ u64be(term)).</summary>
    public static byte[] EpochSeed(ulong seed, ulong epoch, ulong term)
    {
        var tag = DomainTag;
        Span<byte> input = stackalloc byte[tag.Length + 24];
        tag.CopyTo(input);
        BinaryPrimitives.WriteUInt64BigEndian(input[tag.Length..], seed);
        BinaryPrimitives.WriteUInt64BigEndian(input[(tag.Length + 8)..], epoch);
        BinaryPrimitives.WriteUInt64BigEndian(input[(tag.Length + 16)..], term);
        return SHA256.HashData(input);
    }

    /// <summary>
    /// A uniform r in [0, <paramref name="bound"/>) from the counter-mode stream of <paramref name="epochSeed"/>:
    /// the first x_i (first 8 bytes of SHA-256(epochSeed ‖ u64be(i)), big-endian) below 2^64 − (2^64 mod bound),
    /// reduced mod bound.
    /// </summary>
    internal static ulong SampleBelow(ReadOnlySpan<byte> epochSeed, ulong bound)
    {
        if (bound == 0) throw new ArgumentOutOfRangeException(nameof(bound), "bound must be positive");
        UInt128 twoTo64 = (UInt128)1 << 64;
        UInt128 limit = twoTo64 - twoTo64 % bound; // accept x < limit

        Span<byte> block = stackalloc byte[epochSeed.Length + 8];
        epochSeed.CopyTo(block);
        Span<byte> digest = stackalloc byte[32];
        for (ulong i = 0; ; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(block[epochSeed.Length..], i);
            SHA256.HashData(block, digest);
            ulong x = BinaryPrimitives.ReadUInt64BigEndian(digest);
            if (x < limit) return x % bound;
        }
    }
}
