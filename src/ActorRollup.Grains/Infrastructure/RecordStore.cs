using Orleans.Runtime;
using Orleans.Storage;

namespace ActorRollup.Grains.Infrastructure;

/// <summary>
/// Many small named records under one grain, through the configured Orleans storage provider itself (the same
/// provider as <c>[PersistentState]</c>, keyed by the record name as the state name). Grains use it to keep
/// histories in segments — one record per block, per admission batch — so no write ever rewrites a whole history.
/// </summary>
public sealed class RecordStore<T> where T : class
{
    private readonly IGrainStorage _storage;
    private readonly GrainId _grainId;
    private readonly Dictionary<string, string?> _etags = new(StringComparer.Ordinal);

    public RecordStore(IGrainStorage storage, GrainId grainId)
    {
        _storage = storage;
        _grainId = grainId;
    }

    /// <summary>
    /// Reads the record. Its version tag is kept only when this activation already holds one (it wrote the record and
    /// may write or clear it again) or <paramref name="forWrite"/> says it will: a read alone keeps nothing, so reading a
    /// whole history (a full audit) does not grow memory with it. A write or clear without a kept tag costs one probe.
    /// </summary>
    public async Task<T?> ReadAsync(string name, bool forWrite = false)
    {
        var state = new GrainState<T>();
        await _storage.ReadStateAsync(name, _grainId, state);
        if (forWrite || _etags.ContainsKey(name)) _etags[name] = state.ETag;
        return state.RecordExists ? state.State : null;
    }

    /// <summary>How many version tags this store keeps (bounded by the records this activation may write again).</summary>
    public int TagCount => _etags.Count;

    /// <summary>
    /// Writes the record. A record left behind by an earlier activation that died between writing it and recording
    /// it (a write nobody was told about) has a version tag this activation never saw: the provider refuses the
    /// write as inconsistent, and the record is overwritten once with the tag it has.
    /// </summary>
    public async Task WriteAsync(string name, T value)
    {
        var state = new GrainState<T>(value) { ETag = _etags.GetValueOrDefault(name) };
        try
        {
            await _storage.WriteStateAsync(name, _grainId, state);
        }
        catch (InconsistentStateException) when (!_etags.ContainsKey(name))
        {
            var probe = new GrainState<T>();
            await _storage.ReadStateAsync(name, _grainId, probe);
            state = new GrainState<T>(value) { ETag = probe.ETag };
            await _storage.WriteStateAsync(name, _grainId, state);
        }
        _etags[name] = state.ETag;
    }

    /// <summary>Forgets the version tag of a record that will not be written again (keeps memory bounded).</summary>
    public void Forget(string name) => _etags.Remove(name);

    public async Task ClearAsync(string name)
    {
        if (!_etags.TryGetValue(name, out var etag))
        {
            var probe = new GrainState<T>();
            await _storage.ReadStateAsync(name, _grainId, probe);
            if (!probe.RecordExists) return;
            etag = probe.ETag;
        }
        var state = new GrainState<T> { ETag = etag };
        await _storage.ClearStateAsync(name, _grainId, state);
        _etags.Remove(name);
    }
}
