using System.Net.Sockets;
using Akka.Actor;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Cluster.Replication.Stream;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Records;
using ActorBroker.Storage;
using ActorBroker.TestKit;

namespace ActorBroker.Cluster.Tests.Replication.Stream;

/// <summary>
/// The replication stream over real sockets: a <see cref="ReplicationListener"/> handing fetches to a probe that
/// stands in for the partition shard region, and a <see cref="LeaderLink"/> that finds the listener through the
/// node's <see cref="ReplicationEndpointActor"/>.
/// </summary>
public sealed class ReplicationStreamTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly Akka.TestKit.TestProbe _leaders;
    private ReplicationListener _listener = null!;

    public ReplicationStreamTests() => _leaders = CreateTestProbe();

    public Task InitializeAsync()
    {
        _listener = ReplicationListener.Start("127.0.0.1", 0, _leaders.Ref, Sys.Log);
        Sys.ActorOf(ReplicationEndpointActor.Props(new ReplicationEndpoint("127.0.0.1", _listener.Port)), ReplicationEndpointActor.Name);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _listener.DisposeAsync();
        _dataDir.Dispose();
    }

    private readonly TempDirectory _dataDir = new();

    /// <summary>A log of <paramref name="batches"/> batches of about 10 KiB each.</summary>
    private PartitionLog LogOf(int batches)
    {
        var log = PartitionLog.Open(Path.Combine(_dataDir.Path, "replicated-0"), new LogConfig());
        var value = new string('v', 1000);
        for (int b = 0; b < batches; b++)
            log.Append(Enumerable.Range(0, 10).Aggregate(new RecordBatchBuilder(), (builder, i) => builder.Add($"k{b}-{i}", value)).Build(), leaderEpoch: 3);
        return log;
    }

    private LeaderLink Link() => new(Sys, ((ExtendedActorSystem)Sys).Provider.DefaultAddress);

    private static ReplicaFetch Fetch(int partition, long offset) =>
        new(new TopicPartition("replicated", partition), FollowerNode: 2, offset, MaxBytes: 4096, LeaderEpoch: 3, DateTime.UtcNow.AddMilliseconds(500));

    [Fact]
    public async Task Fetches_open_together_are_answered_by_correlation_in_whatever_order_the_leaders_answer()
    {
        var link = Link();
        var first = link.FetchAsync(Fetch(0, 10), Timeout);
        var firstAsked = _leaders.ExpectMsg<ReplicaFetch>(Timeout);
        var firstLeader = _leaders.LastSender;
        var second = link.FetchAsync(Fetch(1, 20), Timeout);
        var secondAsked = _leaders.ExpectMsg<ReplicaFetch>(Timeout);
        var secondLeader = _leaders.LastSender;

        Assert.Equal((new TopicPartition("replicated", 0), 10L, 2, 4096, 3),
            (firstAsked.Partition, firstAsked.FetchOffset, firstAsked.FollowerNode, firstAsked.MaxBytes, firstAsked.LeaderEpoch));
        Assert.Equal(new TopicPartition("replicated", 1), secondAsked.Partition);
        Assert.InRange(firstAsked.Deadline, DateTime.UtcNow.AddSeconds(-5), DateTime.UtcNow.AddSeconds(1));

        var big = Enumerable.Range(0, 300_000).Select(i => (byte)i).ToArray(); // larger than the socket buffers
        secondLeader.Tell(new ReplicaFetchResult(ErrorCode.None, big, 25, 0, 3));
        firstLeader.Tell(new ReplicaFetchResult(ErrorCode.None, new byte[] { 9, 8, 7 }, 11, 0, 3));

        using var secondAnswer = await second;
        using var firstAnswer = await first;
        var (secondResult, firstResult) = (secondAnswer.Result, firstAnswer.Result);
        Assert.Equal(big, secondResult.Records.ToArray());
        Assert.Equal(25, secondResult.HighWatermark);
        Assert.Equal(new byte[] { 9, 8, 7 }, firstResult.Records.ToArray());
        Assert.Equal((ErrorCode.None, 11L, 0L, 3), (firstResult.Error, firstResult.HighWatermark, firstResult.LogStartOffset, firstResult.LeaderEpoch));
    }

    [Fact]
    public async Task A_frame_that_is_not_a_fetch_closes_only_its_own_connection()
    {
        using var garbage = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await garbage.ConnectAsync("127.0.0.1", _listener.Port);
        await garbage.SendAsync(new byte[] { 0, 0, 0, 7, 1, 2, 3, 4, 5, 6, 7 });
        var buffer = new byte[16];
        Assert.Equal(0, await garbage.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Timeout)); // closed by the listener

        var link = Link();
        var fetched = link.FetchAsync(Fetch(0, 0), Timeout);
        _leaders.ExpectMsg<ReplicaFetch>(Timeout);
        _leaders.Reply(new ReplicaFetchResult(ErrorCode.None, new byte[] { 1 }, 1, 0, 3));
        using var answer = await fetched;
        Assert.Equal(new byte[] { 1 }, answer.Result.Records.ToArray());
    }

    [Fact]
    public async Task An_oversized_frame_is_refused_before_it_is_read()
    {
        using var oversized = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await oversized.ConnectAsync("127.0.0.1", _listener.Port);
        await oversized.SendAsync(new byte[] { 0x7f, 0, 0, 0 });
        Assert.Equal(0, await oversized.ReceiveAsync(new byte[16], SocketFlags.None).WaitAsync(Timeout));
        _leaders.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task A_link_whose_connection_closes_fails_its_open_fetches_and_stays_closed()
    {
        var link = Link();
        var pending = link.FetchAsync(Fetch(0, 0), Timeout);
        _leaders.ExpectMsg<ReplicaFetch>(Timeout);

        await _listener.DisposeAsync(); // the leader node's listener goes away with the connection

        var failure = await Assert.ThrowsAsync<IOException>(() => pending.WaitAsync(Timeout));
        Assert.Contains("replication link", failure.Message);
        Assert.True(link.IsClosed);
        await Assert.ThrowsAsync<IOException>(() => link.FetchAsync(Fetch(0, 0), Timeout));
        _listener = ReplicationListener.Start("127.0.0.1", 0, _leaders.Ref, Sys.Log); // for DisposeAsync
    }

    [Fact]
    public async Task A_leader_that_does_not_answer_in_time_fails_the_fetch_with_a_timeout()
    {
        var link = Link();
        var pending = link.FetchAsync(Fetch(0, 0), TimeSpan.FromMilliseconds(300));
        _leaders.ExpectMsg<ReplicaFetch>(Timeout);
        await Assert.ThrowsAsync<TimeoutException>(() => pending);
        Assert.True(link.IsClosed);
    }

    [Fact]
    public async Task A_fetch_answered_with_a_range_of_a_segment_file_arrives_as_exactly_those_bytes()
    {
        using var log = LogOf(batches: 40); // about 400 KiB: more than the socket buffers take at once
        var link = Link();
        var fetched = link.FetchAsync(Fetch(0, 5), Timeout);
        var asked = _leaders.ExpectMsg<ReplicaFetch>(Timeout);
        Assert.True(asked.TakesFileSlice, "The stream asks for a file range it can send without copying.");

        var slice = log.ReadFileSlice(5, maxBytes: 1 << 20)!;
        _leaders.Reply(new ReplicaFetchFileResult(new ReplicaFetchResult(ErrorCode.None, ReadOnlyMemory<byte>.Empty, 400, 0, 3), slice));

        using var answer = await fetched;
        Assert.Equal((ErrorCode.None, 400L, 3), (answer.Result.Error, answer.Result.HighWatermark, answer.Result.LeaderEpoch));
        Assert.Equal(log.Read(5, 1 << 20, minOneBatch: true).Records.ToArray(), answer.Result.Records.ToArray());
    }

    [Fact]
    public async Task A_file_range_the_log_truncated_before_it_was_sent_is_answered_with_a_retriable_error_not_its_bytes()
    {
        using var log = LogOf(batches: 4);
        var link = Link();
        var fetched = link.FetchAsync(Fetch(0, 0), Timeout);
        _leaders.ExpectMsg<ReplicaFetch>(Timeout);

        var slice = log.ReadFileSlice(0, maxBytes: 1 << 20)!;
        log.TruncateTo(20);
        _leaders.Reply(new ReplicaFetchFileResult(new ReplicaFetchResult(ErrorCode.None, ReadOnlyMemory<byte>.Empty, 40, 0, 3), slice));

        using var answer = await fetched;
        Assert.Equal(ErrorCode.NotLeaderOrFollower, answer.Result.Error);
        Assert.True(answer.Result.Records.IsEmpty);
    }
}
