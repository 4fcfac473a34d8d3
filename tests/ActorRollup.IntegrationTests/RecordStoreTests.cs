using ActorRollup.Grains.Infrastructure;
using Orleans.Storage;

namespace ActorRollup.IntegrationTests;

/// <summary>RecordStore keeps version tags only for records its activation may write again (issue 10: a full audit read
/// every block record and kept a tag for each, growing memory with chain height). No cluster needed.</summary>
public sealed class RecordStoreTests
{
    private sealed class DictionaryStorage : IGrainStorage
    {
        private readonly Dictionary<string, (object State, string ETag)> _records = [];
        private int _version;

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (_records.TryGetValue(stateName, out var r))
            {
                grainState.State = (T)r.State;
                grainState.ETag = r.ETag;
                grainState.RecordExists = true;
            }
            return Task.CompletedTask;
        }

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            var current = _records.TryGetValue(stateName, out var r) ? r.ETag : null;
            if (current != grainState.ETag) throw new InconsistentStateException($"etag {grainState.ETag} is not {current}");
            grainState.ETag = (++_version).ToString();
            grainState.RecordExists = true;
            _records[stateName] = (grainState.State!, grainState.ETag);
            return Task.CompletedTask;
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            var current = _records.TryGetValue(stateName, out var r) ? r.ETag : null;
            if (current != grainState.ETag) throw new InconsistentStateException($"etag {grainState.ETag} is not {current}");
            _records.Remove(stateName);
            grainState.ETag = null;
            grainState.RecordExists = false;
            return Task.CompletedTask;
        }
    }

    private static int Tags(RecordStore<string> store) =>
        ((System.Collections.ICollection)typeof(RecordStore<string>).GetField("_etags", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(store)!).Count;

    [Fact]
    public async Task Reading_many_records_keeps_no_tags_and_records_read_can_still_be_written_and_cleared()
    {
        var storage = new DictionaryStorage();
        var grain = GrainId.Create("test", "records");
        var writer = new RecordStore<string>(storage, grain);
        for (int i = 0; i < 5_000; i++) await writer.WriteAsync($"block-{i}", $"record {i}");
        for (int i = 0; i < 5_000; i++) writer.Forget($"block-{i}"); // final: never written again

        // Another activation (an audit) reads the whole history.
        var reader = new RecordStore<string>(storage, grain);
        for (int i = 0; i < 5_000; i++) Assert.Equal($"record {i}", await reader.ReadAsync($"block-{i}"));
        Assert.Equal(0, Tags(reader));

        // A record it read and then writes or clears still works (one probe each); what it writes it keeps a tag for.
        await reader.WriteAsync("block-7", "rewritten");
        await reader.ClearAsync("block-8");
        Assert.Equal("rewritten", await reader.ReadAsync("block-7"));
        Assert.Null(await reader.ReadAsync("block-8"));
        Assert.Equal(1, Tags(reader));
    }
}
