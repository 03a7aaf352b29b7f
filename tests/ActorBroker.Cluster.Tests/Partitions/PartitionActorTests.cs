using ActorBroker.TestKit;
using System.Collections.Immutable;
using Akka.Actor;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Records;

namespace ActorBroker.Cluster.Tests.Partitions;

/// <summary>The partition entity through the shard region of a one-node cluster, as the gateway uses it.</summary>
public sealed class PartitionActorTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _dataDir;
    private readonly BrokerServices _broker;

    public PartitionActorTests() : this(new TempDirectory()) { }

    private PartitionActorTests(TempDirectory dataDir) : base(BrokerSystem.Config(dataDir.Path))
    {
        _dataDir = dataDir;
        _broker = BrokerSystem.StartBrokerAsync(Sys).GetAwaiter().GetResult();
    }

    private static byte[] Batch(int records, string prefix = "value")
    {
        var builder = new RecordBatchBuilder();
        for (int i = 0; i < records; i++)
            builder.Add($"key-{i}", $"{prefix}-{i}");
        return builder.Build();
    }

    private void CreateTopic(string name, int partitions)
    {
        _broker.Topics.Tell(new CreateTopic(name, partitions, 1, ImmutableSortedDictionary<string, string>.Empty), TestActor);
        Assert.Equal(ErrorCode.None, ExpectMsg<CreateTopicResult>(Timeout).Error);
    }

    private AppendBatchesResult Append(TopicPartition partition, byte[] batch)
    {
        _broker.Partitions.Tell(new AppendBatches(partition, batch), TestActor);
        return ExpectMsg<AppendBatchesResult>(Timeout);
    }

    [Fact]
    public void Flush_messages_fsyncs_once_enough_messages_are_unflushed_without_waiting_for_the_timer()
    {
        // flush.ms of an hour: only flush.messages can move the recovery point checkpoint here.
        var configs = ImmutableSortedDictionary.CreateRange(new Dictionary<string, string>
        {
            [TopicConfigs.FlushMessages] = "5",
            [TopicConfigs.FlushMs] = "3600000",
        });
        _broker.Topics.Tell(new CreateTopic("group-commit", 1, 1, configs), TestActor);
        Assert.Equal(ErrorCode.None, ExpectMsg<CreateTopicResult>(Timeout).Error);
        var partition = new TopicPartition("group-commit", 0);
        string checkpoint = Path.Combine(_dataDir.Path, "logs", partition.EntityId, "recovery-point");

        Append(partition, Batch(2));
        Append(partition, Batch(2));
        Assert.Equal("0\n0\n", File.ReadAllText(checkpoint)); // 4 unflushed messages: no fsync yet
        Append(partition, Batch(1)); // the 5th: one fsync covers all three appends, before the reply
        Assert.Equal("0\n5\n", File.ReadAllText(checkpoint));
        Append(partition, Batch(1));
        Assert.Equal("0\n5\n", File.ReadAllText(checkpoint)); // the count starts again after a flush
    }

    [Fact]
    public void An_append_that_waits_for_fsync_is_acknowledged_only_after_the_recovery_point_covers_it()
    {
        var configs = ImmutableSortedDictionary.CreateRange(new Dictionary<string, string> { [TopicConfigs.FlushMs] = "3600000" });
        _broker.Topics.Tell(new CreateTopic("durable-acks", 1, 1, configs), TestActor);
        Assert.Equal(ErrorCode.None, ExpectMsg<CreateTopicResult>(Timeout).Error);
        var partition = new TopicPartition("durable-acks", 0);
        string checkpoint = Path.Combine(_dataDir.Path, "logs", partition.EntityId, "recovery-point");

        Append(partition, Batch(3));
        Assert.Equal("0\n0\n", File.ReadAllText(checkpoint)); // acknowledged from the page cache, not yet fsynced
        _broker.Partitions.Tell(new AppendBatches(partition, Batch(2), WaitForFsync: true), TestActor);
        Assert.Equal(ErrorCode.None, ExpectMsg<AppendBatchesResult>(Timeout).Error);

        Assert.Equal("0\n5\n", File.ReadAllText(checkpoint)); // one fsync covered both appends before the reply
    }

    [Fact]
    public void Appends_get_consecutive_offsets_and_reads_return_the_stamped_batches()
    {
        CreateTopic("orders", 2);
        var partition = new TopicPartition("orders", 1);

        Assert.Equal(0, Append(partition, Batch(3)).BaseOffset);
        Assert.Equal(3, Append(partition, Batch(2, "second")).BaseOffset);

        _broker.Partitions.Tell(new ReadBatches(partition, 3, 1 << 20, MinOneBatch: true), TestActor);
        var read = ExpectMsg<ReadBatchesResult>(Timeout);
        Assert.Equal(ErrorCode.None, read.Error);
        Assert.Equal(5, read.HighWatermark);
        var batch = new RecordBatch(read.Records);
        Assert.Equal(3, batch.BaseOffset);
        Assert.True(batch.IsCrcValid);
        Assert.Equal(["second-0", "second-1"], batch.EnumerateRecords().Select(r => System.Text.Encoding.UTF8.GetString(r.Value!.Value.Span)));
    }

    [Fact]
    public void A_batch_with_a_bad_crc_is_refused_with_CorruptMessage_and_nothing_is_appended()
    {
        CreateTopic("crc", 1);
        var partition = new TopicPartition("crc", 0);
        var corrupt = Batch(2);
        corrupt[^1] ^= 0xFF;

        var result = Append(partition, corrupt);

        Assert.Equal(ErrorCode.CorruptMessage, result.Error);
        _broker.Partitions.Tell(new GetPartitionState(partition), TestActor);
        Assert.Equal(0, ExpectMsg<PartitionStateResult>(Timeout).LogEndOffset);
    }

    [Fact]
    public void A_partition_of_an_unknown_topic_answers_UnknownTopicOrPartition_and_creates_no_log()
    {
        var result = Append(new TopicPartition("never-created", 0), Batch(1));

        Assert.Equal(ErrorCode.UnknownTopicOrPartition, result.Error);
        Assert.False(Directory.Exists(Path.Combine(_dataDir.Path, "logs", "never-created-0")));
    }

    [Fact]
    public void Reading_past_the_log_end_answers_OffsetOutOfRange()
    {
        CreateTopic("range", 1);
        var partition = new TopicPartition("range", 0);
        Append(partition, Batch(1));

        _broker.Partitions.Tell(new ReadBatches(partition, 5, 1024, MinOneBatch: true), TestActor);

        Assert.Equal(ErrorCode.OffsetOutOfRange, ExpectMsg<ReadBatchesResult>(Timeout).Error);
    }

    [Fact]
    public void A_waiting_fetch_is_told_as_soon_as_the_log_grows()
    {
        CreateTopic("poll", 1);
        var partition = new TopicPartition("poll", 0);
        var waiter = CreateTestProbe();
        _broker.Partitions.Tell(new AwaitLogEnd(partition, 0, DateTime.UtcNow.AddSeconds(30)), waiter.Ref);
        waiter.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        Append(partition, Batch(1));

        Assert.Equal(1, waiter.ExpectMsg<LogAdvanced>(Timeout).LogEndOffset);
    }

    [Fact]
    public void A_waiting_fetch_is_answered_at_its_deadline_when_nothing_arrives()
    {
        CreateTopic("idle", 1);
        var partition = new TopicPartition("idle", 0);
        _broker.Partitions.Tell(new AwaitLogEnd(partition, 0, DateTime.UtcNow.AddMilliseconds(300)), TestActor);

        Assert.Equal(0, ExpectMsg<LogAdvanced>(Timeout).LogEndOffset);
    }

    [Fact]
    public void Deleting_the_topic_deletes_its_partition_logs()
    {
        CreateTopic("doomed", 2);
        Append(new TopicPartition("doomed", 0), Batch(1));
        Append(new TopicPartition("doomed", 1), Batch(1));
        Assert.True(Directory.Exists(Path.Combine(_dataDir.Path, "logs", "doomed-0")));

        _broker.Topics.Tell(new DeleteTopic("doomed"), TestActor);
        Assert.Equal(ErrorCode.None, ExpectMsg<DeleteTopicResult>(Timeout).Error);

        AwaitCondition(() => !Directory.Exists(Path.Combine(_dataDir.Path, "logs", "doomed-0"))
                             && !Directory.Exists(Path.Combine(_dataDir.Path, "logs", "doomed-1")), Timeout);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            _dataDir.Dispose();
    }
}
