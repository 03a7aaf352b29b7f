using System.Diagnostics;
using System.Text;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;

namespace ActorBroker.Gateway.Tests.Handlers;

/// <summary>Produce, Fetch and ListOffsets end to end through the gateway (in-memory pipes, real broker actors).</summary>
public sealed class ProduceFetchTests : IAsyncLifetime
{
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayFixture.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private async Task<ProduceResponse.PartitionProduceResponse> ProduceAsync(Testing client, string topic, byte[] records, short version = 8)
    {
        var response = await client.Client.SendAsync<ProduceResponse>(Requests.Produce(topic, 0, records), version);
        return response.Responses.Single().PartitionResponses.Single();
    }

    private sealed record Testing(ActorBroker.TestKit.KafkaWireClient Client);

    [Theory]
    [InlineData(3, 4)]
    [InlineData(5, 7)]
    [InlineData(7, 10)]
    [InlineData(8, 11)]
    public async Task Produced_batches_are_fetched_back_at_their_offsets(short produceVersion, short fetchVersion)
    {
        await using var client = _gateway.ConnectInMemory();
        string topic = $"round-trip-{produceVersion}";
        var first = await ProduceAsync(new(client), topic, Requests.Batch(3, "a"), produceVersion);
        var second = await ProduceAsync(new(client), topic, Requests.Batch(2, "b"), produceVersion);
        Assert.Equal((0L, 3L), (first.BaseOffset, second.BaseOffset));

        var fetch = await client.SendAsync<FetchResponse>(Requests.Fetch(topic, 0, 0), fetchVersion);
        var partition = fetch.Responses.Single().Partitions.Single();

        Assert.Equal((short)ErrorCode.None, partition.ErrorCode);
        Assert.Equal(5, partition.HighWatermark);
        var records = Requests.Records(partition.Records).ToList();
        Assert.Equal(Enumerable.Range(0, 5).Select(i => (long)i), records.Select(r => r.Offset));
        Assert.Equal(["a-0", "a-1", "a-2", "b-0", "b-1"], records.Select(r => Encoding.UTF8.GetString(r.Value!.Value.Span)));
    }

    [Fact]
    public async Task A_batch_with_a_bad_crc_gets_CorruptMessage_and_nothing_is_appended()
    {
        await using var client = _gateway.ConnectInMemory();
        await ProduceAsync(new(client), "crc", Requests.Batch(1));
        var corrupt = Requests.Batch(2);
        corrupt[^3] ^= 0x55;

        var rejected = await ProduceAsync(new(client), "crc", corrupt);

        Assert.Equal((short)ErrorCode.CorruptMessage, rejected.ErrorCode);
        var fetch = await client.SendAsync<FetchResponse>(Requests.Fetch("crc", 0, 0), 11);
        Assert.Equal(1, fetch.Responses.Single().Partitions.Single().HighWatermark);
    }

    [Fact]
    public async Task Fetching_past_the_log_end_gets_OffsetOutOfRange()
    {
        await using var client = _gateway.ConnectInMemory();
        await ProduceAsync(new(client), "range", Requests.Batch(2));

        var fetch = await client.SendAsync<FetchResponse>(Requests.Fetch("range", 0, 10), 11);

        Assert.Equal((short)ErrorCode.OffsetOutOfRange, fetch.Responses.Single().Partitions.Single().ErrorCode);
    }

    [Fact]
    public async Task Fetching_an_unknown_topic_gets_UnknownTopicOrPartition_and_does_not_create_it()
    {
        await using var client = _gateway.ConnectInMemory();

        var fetch = await client.SendAsync<FetchResponse>(Requests.Fetch("nobody-made-this", 0, 0), 11);

        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, fetch.Responses.Single().Partitions.Single().ErrorCode);
        var metadata = await client.SendAsync<MetadataResponse>(new MetadataRequest { Topics = null }, 8);
        Assert.DoesNotContain(metadata.Topics, t => t.Name == "nobody-made-this");
    }

    [Fact]
    public async Task A_long_poll_fetch_returns_as_soon_as_a_record_arrives()
    {
        await using var consumer = _gateway.ConnectInMemory();
        await using var producer = _gateway.ConnectInMemory();
        await ProduceAsync(new(producer), "poll", Requests.Batch(1));

        var watch = Stopwatch.StartNew();
        var fetch = consumer.SendAsync<FetchResponse>(Requests.Fetch("poll", 0, 1, maxWaitMs: 20_000), 11);
        await Task.Delay(300);
        Assert.False(fetch.IsCompleted);
        await ProduceAsync(new(producer), "poll", Requests.Batch(1, "late"));
        var response = await fetch;

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"the fetch waited {watch.Elapsed} after data arrived");
        var record = Assert.Single(Requests.Records(response.Responses.Single().Partitions.Single().Records));
        Assert.Equal(1, record.Offset);
    }

    [Fact]
    public async Task A_long_poll_fetch_with_nothing_to_return_waits_for_max_wait()
    {
        await using var client = _gateway.ConnectInMemory();
        await ProduceAsync(new(client), "quiet", Requests.Batch(1));

        var watch = Stopwatch.StartNew();
        var response = await client.SendAsync<FetchResponse>(Requests.Fetch("quiet", 0, 1, maxWaitMs: 700), 11);

        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(650), $"returned after {watch.Elapsed}");
        Assert.Equal(0, response.Responses.Single().Partitions.Single().Records?.Length ?? 0);
    }

    [Fact]
    public async Task Fetch_max_bytes_limits_the_response_but_always_returns_one_whole_batch()
    {
        await using var client = _gateway.ConnectInMemory();
        var big = Requests.Batch(50);
        await ProduceAsync(new(client), "sizes", big);
        await ProduceAsync(new(client), "sizes", Requests.Batch(50));

        var fetch = await client.SendAsync<FetchResponse>(Requests.Fetch("sizes", 0, 0, maxBytes: 10), 11);

        var records = fetch.Responses.Single().Partitions.Single().Records;
        Assert.Equal(big.Length, records!.Value.Length);
    }

    [Fact]
    public async Task Produce_with_acks_0_gets_no_response_but_the_records_are_appended()
    {
        await using var client = _gateway.ConnectInMemory();
        await client.SendRawAsync(client.Frame(Requests.Produce("fire-and-forget", 0, Requests.Batch(4), acks: 0), 8, out _));

        // the next response on the connection answers the next request
        var metadata = await client.SendAsync<MetadataResponse>(new MetadataRequest { Topics = null }, 8);
        Assert.Contains(metadata.Topics, t => t.Name == "fire-and-forget");
        var offsets = await client.SendAsync<ListOffsetsResponse>(Requests.ListOffsets("fire-and-forget", 0, -1), 5);
        Assert.Equal(4, offsets.Topics.Single().Partitions.Single().Offset);
    }

    [Fact]
    public async Task Produce_with_invalid_acks_gets_InvalidRequiredAcks()
    {
        await using var client = _gateway.ConnectInMemory();
        var response = await client.SendAsync<ProduceResponse>(Requests.Produce("acks", 0, Requests.Batch(1), acks: 2), 8);
        Assert.Equal((short)ErrorCode.InvalidRequiredAcks, response.Responses.Single().PartitionResponses.Single().ErrorCode);
    }

    [Fact]
    public async Task ListOffsets_answers_earliest_latest_and_by_timestamp()
    {
        await using var client = _gateway.ConnectInMemory();
        long start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var early = new ActorBroker.Protocol.Records.RecordBatchBuilder().Add("k", "early", timestamp: start - 60_000).Build();
        var late = new ActorBroker.Protocol.Records.RecordBatchBuilder().Add("k", "late", timestamp: start).Build();
        await ProduceAsync(new(client), "times", early);
        await ProduceAsync(new(client), "times", late);

        async Task<long> OffsetAt(long timestamp) =>
            (await client.SendAsync<ListOffsetsResponse>(Requests.ListOffsets("times", 0, timestamp), 5)).Topics.Single().Partitions.Single().Offset;

        Assert.Equal(0, await OffsetAt(-2));
        Assert.Equal(2, await OffsetAt(-1));
        Assert.Equal(1, await OffsetAt(start - 1000));
        Assert.Equal(-1, await OffsetAt(start + 1000));
    }

    [Fact]
    public async Task ListOffsets_by_timestamp_returns_the_found_records_timestamp_not_the_target()
    {
        await using var client = _gateway.ConnectInMemory();
        long start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var batch = new ActorBroker.Protocol.Records.RecordBatchBuilder()
            .Add("k", "a", timestamp: start - 60_000)
            .Add("k", "b", timestamp: start - 30_000)
            .Add("k", "c", timestamp: start)
            .Build();
        await ProduceAsync(new(client), "found-times", batch);

        var found = (await client.SendAsync<ListOffsetsResponse>(Requests.ListOffsets("found-times", 0, start - 45_000), 5))
            .Topics.Single().Partitions.Single();
        Assert.Equal(0, found.ErrorCode);
        Assert.Equal(1, found.Offset);
        Assert.Equal(start - 30_000, found.Timestamp);

        var none = (await client.SendAsync<ListOffsetsResponse>(Requests.ListOffsets("found-times", 0, start + 1), 5))
            .Topics.Single().Partitions.Single();
        Assert.Equal((-1L, -1L), (none.Offset, none.Timestamp));
    }
}
