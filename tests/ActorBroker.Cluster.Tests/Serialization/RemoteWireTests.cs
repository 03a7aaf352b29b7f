using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using ActorBroker.Cluster.Membership;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Cluster.Sharding;
using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Records;
using ActorBroker.TestKit;
using AkkaCluster = Akka.Cluster.Cluster;

namespace ActorBroker.Cluster.Tests.Serialization;

/// <summary>Commands and replies between two actor systems over real Akka remoting (127.0.0.1 sockets).</summary>
public sealed class RemoteWireTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _dataDir = new();
    private ActorSystem _brokerSystem = null!;
    private ActorSystem _clientSystem = null!;

    public async Task InitializeAsync()
    {
        (_brokerSystem, _) = await BrokerSystem.StartAsync(_dataDir.Path);
        var seed = AkkaCluster.Get(_brokerSystem).SelfAddress;
        _clientSystem = ActorSystem.Create(seed.System, ConfigurationFactory.ParseString($"""
            akka.cluster.roles = ["client"]
            akka.cluster.seed-nodes = [{ActorBrokerConfig.Quote(seed.ToString())}]
            akka.loglevel = WARNING
            """).WithFallback(ActorBrokerConfig.Reference()));
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        AkkaCluster.Get(_clientSystem).RegisterOnMemberUp(() => up.TrySetResult());
        await up.Task.WaitAsync(Timeout);
    }

    public async Task DisposeAsync()
    {
        await BrokerSystem.StopAsync(_clientSystem);
        await BrokerSystem.StopAsync(_brokerSystem);
        _dataDir.Dispose();
    }

    [Fact]
    public async Task A_member_without_the_broker_role_appends_and_reads_batches_through_a_shard_region_proxy()
    {
        var registry = _clientSystem.ActorOf(ClusterSingletonProxy.Props(
            $"/user/{TopicRegistry.Name}", ClusterSingletonProxySettings.Create(_clientSystem).WithRole(BrokerIdentity.BrokerRole)));
        var partitions = ClusterSharding.Get(_clientSystem).StartProxy(
            BrokerServices.PartitionTypeName, BrokerIdentity.BrokerRole,
            new PartitionMessageExtractor());
        var created = await registry.Ask<CreateTopicResult>(
            new CreateTopic("remote", 1, 1, ImmutableSortedDictionary<string, string>.Empty), Timeout);
        Assert.Equal(ErrorCode.None, created.Error);
        var builder = new RecordBatchBuilder();
        for (int i = 0; i < 500; i++)
            builder.Add($"key-{i}", new string('v', 200) + i, [new RecordHeader("h", [(byte)i])], timestamp: 1_700_000_000_000 + i);
        byte[] batch = builder.Build();

        var appended = await partitions.Ask<AppendBatchesResult>(new AppendBatches(new TopicPartition("remote", 0), batch.ToArray()), Timeout);
        var read = await partitions.Ask<ReadBatchesResult>(new ReadBatches(new TopicPartition("remote", 0), 0, 1 << 20, MinOneBatch: true), Timeout);

        Assert.Equal(ErrorCode.None, appended.Error);
        Assert.Equal(0, appended.BaseOffset);
        Assert.Equal(ErrorCode.None, read.Error);
        Assert.Equal(500, read.HighWatermark);
        Assert.Equal(batch.Length, read.Records.Length);
        Assert.True(read.Records.Span[RecordBatch.HeaderSize..].SequenceEqual(batch.AsSpan(RecordBatch.HeaderSize)));
        var records = new RecordBatch(read.Records).EnumerateRecords();
        Assert.Equal("key-499", System.Text.Encoding.UTF8.GetString(records[499].Key!.Value.Span));
        Assert.Equal(new byte[] { 243 }, records[499].Headers[0].Value);
    }
}
