using System.Security.Cryptography;
using ActorRollup.Core.Primitives;

namespace ActorRollup.Core.Blocks;

/// <summary>
/// The transaction root of a block body: a binary Merkle tree over the entries in block order.
/// Leaf = SHA-256(0x00 ‖ tx hash ‖ u64be arrival sequence); node = SHA-256(0x01 ‖ left ‖ right); a level with an
/// odd count carries its last node up unchanged; the root of an empty body is 32 zero bytes. The arrival
/// sequence is committed so that validators can check the ordering policy against the header.
/// </summary>
public static class TxRoot
{
    public static Hash32 Compute(IReadOnlyList<BlockEntry> entries)
    {
        if (entries.Count == 0) return Hash32.Zero;
        var level = new Hash32[entries.Count];
        Span<byte> leaf = stackalloc byte[1 + Hash32.Size + 8];
        for (int i = 0; i < entries.Count; i++)
        {
            leaf[0] = 0x00;
            entries[i].Transaction.Hash.WriteTo(leaf[1..]);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(leaf[33..], entries[i].ArrivalSequence);
            level[i] = Hash32.Sha256(leaf);
        }
        int count = level.Length;
        Span<byte> node = stackalloc byte[1 + 2 * Hash32.Size];
        Span<byte> digest = stackalloc byte[Hash32.Size];
        while (count > 1)
        {
            int next = 0;
            for (int i = 0; i < count; i += 2)
            {
                if (i + 1 == count)
                {
                    level[next++] = level[i];
                    continue;
                }
                node[0] = 0x01;
                level[i].WriteTo(node[1..]);
                level[i + 1].WriteTo(node[33..]);
                SHA256.HashData(node, digest);
                level[next++] = Hash32.FromBytes(digest);
            }
            count = next;
        }
        return level[0];
    }
}
