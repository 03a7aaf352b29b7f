using System.Collections.Immutable;
using System.Text;
using Akka.Actor;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Records;
using ActorBroker.TestKit;

namespace ActorBroker.Cluster.Tests.Partitions;

/// <summary>A partition of a compacted topic through the shard region, with the cleaner checking every 100 ms.</summary>
public sealed class PartitionCompactionTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _dataDir;
    private readonly BrokerServices _broker;

    public PartitionCompactionTests() : this(new TempDirectory()) { }

    private PartitionCompactionTests(TempDirectory dataDir)
        : base(BrokerSystem.Config(dataDir.Path, "actorbroker.log.cleaner.backoff = 100ms"))
    {
        _dataDir = dataDir;
        _broker = BrokerSystem.StartBrokerAsync(Sys).GetAwaiter().GetResult();
    }

    private TopicPartition CreateCompactedTopic(string name)
    {
        var configs = ImmutableSortedDictionary.CreateRange(new Dictionary<string, string>
        {
            [TopicConfigs.CleanupPolicy] = "compact",
            [TopicConfigs.SegmentBytes] = "2048",
            [TopicConfigs.MinCleanableDirtyRatio] = "0.01",
            [TopicConfigs.DeleteRetentionMs] = "0",
        });
        _broker.Topics.Tell(new CreateTopic(name, 1, 1, configs), TestActor);
        Assert.Equal(ErrorCode.None, ExpectMsg<CreateTopicResult>(Timeout).Error);
        return new TopicPartition(name, 0);
    }

    private AppendBatchesResult Append(TopicPartition partition, params (string? Key, string? Value)[] records)
    {
        var builder = new RecordBatchBuilder();
        foreach (var (key, value) in records)
            builder.Add(key, value);
        _broker.Partitions.Tell(new AppendBatches(partition, builder.Build()), TestActor);
        return ExpectMsg<AppendBatchesResult>(Timeout);
    }

    private List<(long Offset, string Key, string? Value)> ReadAll(TopicPartition partition)
    {
        _broker.Partitions.Tell(new ReadBatches(partition, 0, 64 << 20, MinOneBatch: true), TestActor);
        var read = ExpectMsg<ReadBatchesResult>(Timeout);
        var records = new List<(long, string, string?)>();
        for (var bytes = read.Records; !bytes.IsEmpty;)
        {
            var batch = new RecordBatch(bytes);
            Assert.True(batch.IsCrcValid);
            foreach (var r in batch.EnumerateRecords())
                records.Add((r.Offset, Encoding.UTF8.GetString(r.Key!.Value.Span), r.Value is { } v ? Encoding.UTF8.GetString(v.Span) : null));
            bytes = bytes[batch.SizeInBytes..];
        }
        return records;
    }

    [Fact]
    public void The_cleaner_compacts_a_partition_off_its_hot_path_to_the_latest_value_per_key_at_unchanged_offsets()
    {
        var partition = CreateCompactedTopic("compacted");
        var latest = new Dictionary<string, long>();
        for (int i = 0; i < 400; i++)
            latest[$"k{i % 10}"] = Append(partition, ($"k{i % 10}", $"v{i}")).BaseOffset;
        latest.Remove("k3");
        Append(partition, ("k3", null));
        for (int i = 0; i < 60; i++)
            Append(partition, ($"filler{i}", new string('x', 60))); // pushes the tombstone out of the active segment

        // The end state: below the filler, exactly one record per live key, each at the offset it was written to.
        AwaitCondition(() => ReadAll(partition).Where(r => !r.Key.StartsWith("filler")).Select(r => (r.Key, r.Offset)).Order()
            .SequenceEqual(latest.Select(l => (l.Key, l.Value)).Order()), Timeout, TimeSpan.FromMilliseconds(100));

        Assert.All(ReadAll(partition).Where(r => !r.Key.StartsWith("filler")), r => Assert.Equal($"v{r.Offset}", r.Value));
        _broker.Partitions.Tell(new GetPartitionState(partition), TestActor);
        Assert.Equal(461, ExpectMsg<PartitionStateResult>(Timeout).LogEndOffset);
    }

    [Fact]
    public void A_keyless_record_is_refused_with_InvalidRecord_naming_the_topic_and_nothing_of_the_request_is_appended()
    {
        var partition = CreateCompactedTopic("no-keyless");
        Append(partition, ("a", "1"));

        var result = Append(partition, ("b", "2"), (null, "3"));

        Assert.Equal(ErrorCode.InvalidRecord, result.Error);
        Assert.Contains("no-keyless", result.ErrorMessage);
        _broker.Partitions.Tell(new GetPartitionState(partition), TestActor);
        Assert.Equal(1, ExpectMsg<PartitionStateResult>(Timeout).LogEndOffset);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            _dataDir.Dispose();
    }
}
