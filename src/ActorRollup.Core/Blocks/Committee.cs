namespace ActorRollup.Core.Blocks;

/// <summary>A committee member as the quorum check sees it: id, signer public key, voting power.</summary>
public sealed record CommitteeSeat(string Id, byte[] PublicKey, long Power);

/// <summary>The committee of one epoch, indexed by member id, with its total voting power.</summary>
public sealed class Committee
{
    private readonly Dictionary<string, CommitteeSeat> _seats;

    public Committee(IEnumerable<CommitteeSeat> seats)
    {
        _seats = new Dictionary<string, CommitteeSeat>(StringComparer.Ordinal);
        foreach (var seat in seats)
        {
            if (seat.Power <= 0) throw new ArgumentException($"member '{seat.Id}' has non-positive power {seat.Power}");
            if (!_seats.TryAdd(seat.Id, seat)) throw new ArgumentException($"member '{seat.Id}' appears twice");
            TotalPower = checked(TotalPower + seat.Power);
        }
    }

    public long TotalPower { get; }
    public int Count => _seats.Count;
    public IEnumerable<CommitteeSeat> Seats => _seats.Values;

    public bool TryGet(string id, out CommitteeSeat seat) => _seats.TryGetValue(id, out seat!);

    /// <summary>More than 2/3 of the total power (strictly): 3 × power &gt; 2 × total.</summary>
    public bool IsQuorum(long power) => (Int128)power * 3 > (Int128)TotalPower * 2;
}
