namespace ActorRollup.Core.Scheduling;

/// <summary>
/// Epoch arithmetic (PROTOCOL.md §6): an epoch is a fixed range of <see cref="Length"/> block heights. Height 0 (the
/// genesis block) is epoch 0; epoch e ≥ 1 covers heights [(e − 1)·L + 1, e·L]. The one implementation the grains,
/// validators and the audit use.
/// </summary>
public readonly record struct Epochs
{
    public Epochs(ulong length)
    {
        ArgumentOutOfRangeException.ThrowIfZero(length);
        Length = length;
    }

    /// <summary>Blocks per epoch (Chain:EpochLength).</summary>
    public ulong Length { get; }

    /// <summary>The epoch <paramref name="height"/> falls in (0 for the genesis block).</summary>
    public ulong Of(ulong height) => height == 0 ? 0 : (height - 1) / Length + 1;

    /// <summary>The first height of <paramref name="epoch"/> (0 for epoch 0); saturates at <see cref="ulong.MaxValue"/>.</summary>
    public ulong FirstHeight(ulong epoch) => epoch == 0 ? 0 : SaturatingAdd(SaturatingMultiply(epoch - 1, Length), 1);

    /// <summary>The last height of <paramref name="epoch"/> (0 for epoch 0); saturates at <see cref="ulong.MaxValue"/>.</summary>
    public ulong LastHeight(ulong epoch) => SaturatingMultiply(epoch, Length);

    /// <summary>Whether <paramref name="height"/> is the last of its epoch (an epoch boundary follows it).</summary>
    public bool IsLastOfEpoch(ulong height) => height != 0 && height % Length == 0;

    /// <summary>The epoch of the block after <paramref name="head"/>: the epoch a chain whose head is
    /// <paramref name="head"/> must be in (catch-up target after missed epoch ends). Checked: throws
    /// <see cref="OverflowException"/> rather than wrap at the last height.</summary>
    public ulong OfNext(ulong head) => Of(checked(head + 1));

    /// <summary><paramref name="height"/> + <paramref name="window"/>, checked: a window never wraps a height
    /// (throws <see cref="OverflowException"/>).</summary>
    public static ulong AddWindow(ulong height, ulong window) => checked(height + window);

    private static ulong SaturatingMultiply(ulong a, ulong b) => b != 0 && a > ulong.MaxValue / b ? ulong.MaxValue : a * b;
    private static ulong SaturatingAdd(ulong a, ulong b) => a > ulong.MaxValue - b ? ulong.MaxValue : a + b;
}
