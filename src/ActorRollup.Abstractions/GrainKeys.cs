namespace ActorRollup.Abstractions;

/// <summary>
/// Every grain key starts with the chain id, so several chains share a cluster without interfering.
/// Chain-wide grains (Chain, Mempool, Rotation, Settlement) are keyed by the chain id alone; per-member grains
/// (Sequencer, Validator, Staker) by "chainId/memberId".
/// </summary>
public static class GrainKeys
{
    public static string Member(string chainId, string memberId) => $"{chainId}/{memberId}";

    public static (string ChainId, string MemberId) SplitMember(string key)
    {
        int slash = key.IndexOf('/');
        if (slash <= 0 || slash == key.Length - 1) throw new ArgumentException($"grain key '{key}' is not 'chainId/memberId'");
        return (key[..slash], key[(slash + 1)..]);
    }

    public static ISequencerGrain Sequencer(this IGrainFactory f, string chainId, string id) => f.GetGrain<ISequencerGrain>(Member(chainId, id));
    public static IValidatorGrain Validator(this IGrainFactory f, string chainId, string id) => f.GetGrain<IValidatorGrain>(Member(chainId, id));
    public static IStakerGrain Staker(this IGrainFactory f, string chainId, Core.Primitives.Address address) => f.GetGrain<IStakerGrain>(Member(chainId, address.ToString()));
    public static IChainGrain Chain(this IGrainFactory f, string chainId) => f.GetGrain<IChainGrain>(chainId);
    public static IMempoolGrain Mempool(this IGrainFactory f, string chainId) => f.GetGrain<IMempoolGrain>(chainId);
    public static IRotationGrain Rotation(this IGrainFactory f, string chainId) => f.GetGrain<IRotationGrain>(chainId);
    public static ISettlementGrain Settlement(this IGrainFactory f, string chainId) => f.GetGrain<ISettlementGrain>(chainId);
}
