using ActorRollup.Core.Staking;

namespace ActorRollup.Core.Tests.Staking;

public class UnbondingBucketTests
{
    [Fact]
    public void A_slashed_bucket_pays_each_claim_rounded_down_and_the_last_claim_everything_left()
    {
        var bucket = new UnbondingBucket(7, 0, 0);
        bucket = bucket.Add(10, out var a)!.Add(10, out var b)!.Add(10, out var c)!;
        Assert.Equal(((UInt128)10, (UInt128)10, (UInt128)10), (a, b, c));
        bucket = bucket.Slash(3_334, out var slashed);
        Assert.Equal((UInt128)10, slashed); // floor(30 × 0.3334)
        Assert.Equal((UInt128)6, bucket.ValueOf(10));

        bucket = bucket.Withdraw(10, out var first);
        Assert.Equal((UInt128)6, first);            // floor(10 × 20 / 30): the 2/3 unit stays with the others
        Assert.Equal((UInt128)7, bucket.ValueOf(10)); // so theirs rose from 6 to 7
        bucket = bucket.Withdraw(10, out var second);
        Assert.Equal((UInt128)7, second);
        bucket = bucket.Withdraw(10, out var last);
        Assert.Equal((UInt128)7, last);
        Assert.Equal(new UnbondingBucket(7, 0, 0), bucket);
        Assert.Equal((UInt128)20, first + second + last);
    }

    [Fact]
    public void Adding_to_a_slashed_bucket_prices_at_its_share_price()
    {
        var bucket = new UnbondingBucket(3, 0, 0).Add(100, out _)!.Slash(1_000, out _); // 90 over 100 shares
        bucket = bucket.Add(9, out var minted)!;
        Assert.Equal((UInt128)10, minted);
        Assert.Equal((UInt128)9, bucket.ValueOf(10));
        Assert.Throws<ArgumentException>(() => bucket.Withdraw(111, out _));
    }
}
