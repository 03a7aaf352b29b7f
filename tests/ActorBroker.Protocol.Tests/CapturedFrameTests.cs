using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using ActorBroker.Protocol.Headers;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;
using ActorBroker.Protocol.Records;
using Xunit;

namespace ActorBroker.Protocol.Tests;

/// <summary>
/// Request frames real clients sent (Frames/README.md says which client, version and command). Every file must
/// decode with the generated messages to its last byte and re-encode to the same bytes; the per-client facts pin
/// down what each client actually puts in its requests, so a broker change that relies on something else shows.
/// </summary>
public class CapturedFrameTests
{
    private static readonly string FramesDirectory = Path.Combine(AppContext.BaseDirectory, "Frames");
    private static readonly Regex FileName = new(@"^(?<key>\d+)-v(?<version>\d+)-(?<n>\d+)\.bin$");

    /// <summary>Every captured file, as "client/key-vversion-n.bin", so each one is a named test case.</summary>
    public static TheoryData<string> AllFrames() => new(FrameNames());

    private static IEnumerable<string> FrameNames() =>
        Directory.EnumerateFiles(FramesDirectory, "*.bin", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(FramesDirectory, path).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal);

    private sealed record CapturedFrame(byte[] Bytes, RequestHeader Header, IKafkaMessage Body, int BodyLength, int UnreadBytes);

    private static byte[] Bytes(string frame) => File.ReadAllBytes(Path.Combine(FramesDirectory, frame));

    private static CapturedFrame Decode(string frame)
    {
        var bytes = Bytes(frame);
        var reader = new KafkaReader(bytes.AsMemory(4));
        var header = RequestHeader.Read(ref reader);
        int bodyStart = reader.Position;
        var body = ApiMessageTypes.ReadRequest(header.ApiKey, ref reader, header.ApiVersion);
        return new CapturedFrame(bytes, header, body, reader.Position - bodyStart, reader.Remaining);
    }

    private static T Body<T>(string frame) where T : IKafkaMessage => Assert.IsType<T>(Decode(frame).Body);

    private static T NotNull<T>(T? value) where T : class
    {
        Assert.NotNull(value);
        return value;
    }

    private static string Utf8(ReadOnlyMemory<byte>? bytes) => bytes is { } b ? Encoding.UTF8.GetString(b.Span) : "(null)";

    private static string Utf8(byte[]? bytes) => bytes is null ? "(null)" : Encoding.UTF8.GetString(bytes);

    /// <summary>The batches in a Produce request's single partition, CRC-checked.</summary>
    private static List<RecordBatch> SingleBatch(ProduceRequest request, string topic)
    {
        var topicData = Assert.Single(request.TopicData);
        Assert.Equal(topic, topicData.Name);
        var partition = Assert.Single(topicData.PartitionData);
        Assert.Equal(0, partition.Index);
        var records = Assert.NotNull(partition.Records);
        var batches = new List<RecordBatch>();
        while (records.Length > 0)
        {
            var batch = new RecordBatch(records);
            Assert.Equal(RecordBatch.CurrentMagic, batch.Magic);
            Assert.True(batch.IsCrcValid, "CRC-32C of the captured batch does not match");
            batches.Add(batch);
            records = records[batch.SizeInBytes..];
        }
        Assert.Single(batches);
        return batches;
    }

    private static string Describe(ActorBroker.Protocol.Records.Record record) =>
        $"{Utf8(record.Key)}={Utf8(record.Value)} [{string.Join(",", record.Headers.Select(h => $"{h.Key}={Utf8(h.Value)}"))}]";

    // ---- every captured frame ----

    [Fact]
    public void Every_client_has_a_full_session_captured()
    {
        var files = FrameNames().ToHashSet();
        bool Has(string client, ApiKey key) => files.Any(f => f.StartsWith(client + "/" + (int)key + "-v", StringComparison.Ordinal));
        foreach (var client in new[] { "kafka-python", "kcat", "kafkajs" })
        {
            Assert.True(Has(client, ApiKey.ApiVersions), $"{client}: no ApiVersions frame");
            Assert.True(Has(client, ApiKey.Metadata), $"{client}: no Metadata frame");
            Assert.True(Has(client, ApiKey.Produce), $"{client}: no Produce frame");
            Assert.True(Has(client, ApiKey.ListOffsets), $"{client}: no ListOffsets frame");
        }
        Assert.True(Has("kafka-python", ApiKey.Fetch), "kafka-python: no Fetch frame");
        Assert.True(Has("kcat", ApiKey.Fetch), "kcat: no Fetch frame");
        Assert.True(Has("kafkajs", ApiKey.CreateTopics), "kafkajs: no CreateTopics frame");
    }

    [Theory]
    [MemberData(nameof(AllFrames))]
    public void Size_prefix_counts_every_byte_after_it(string frame)
    {
        var bytes = Bytes(frame);
        Assert.True(bytes.Length > 4, "frame shorter than its size prefix");
        Assert.Equal(bytes.Length - 4, BinaryPrimitives.ReadInt32BigEndian(bytes));
    }

    [Theory]
    [MemberData(nameof(AllFrames))]
    public void Header_carries_the_api_key_and_version_in_the_file_name(string frame)
    {
        var match = FileName.Match(Path.GetFileName(frame));
        Assert.True(match.Success, $"{frame} is not named <api_key>-v<api_version>-<n>.bin");
        var header = Decode(frame).Header;
        Assert.Equal(short.Parse(match.Groups["key"].Value), (short)header.ApiKey);
        Assert.Equal(short.Parse(match.Groups["version"].Value), header.ApiVersion);
        Assert.True(ApiMessageTypes.IsVersionSupported(header.ApiKey, header.ApiVersion), $"{header} is outside the spec's versions");
    }

    [Theory]
    [MemberData(nameof(AllFrames))]
    public void Request_body_decodes_to_exactly_the_end_of_the_frame(string frame)
    {
        var decoded = Decode(frame);
        Assert.Equal(decoded.Header.ApiKey, decoded.Body.ApiKey);
        Assert.True(decoded.Body.IsRequest);
        Assert.Equal(0, decoded.UnreadBytes);
    }

    /// <summary>
    /// Holds for every frame captured so far: none carries tagged fields we skip on read (the only flexible
    /// request, librdkafka's ApiVersions v3, has empty tagged sections in header and body). If a new capture
    /// carries unknown tagged fields, this byte comparison fails for it: assert its decoded fields instead.
    /// </summary>
    [Theory]
    [MemberData(nameof(AllFrames))]
    public void Decoded_header_and_body_reencode_to_the_captured_bytes(string frame)
    {
        var decoded = Decode(frame);
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(buffer);
        writer.WriteInt32(0); // size, patched below
        decoded.Header.Write(writer, decoded.Header.HeaderVersion);
        decoded.Body.Write(writer, decoded.Header.ApiVersion);
        var encoded = buffer.WrittenSpan.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(encoded, encoded.Length - 4);
        Assert.Equal(Convert.ToHexString(decoded.Bytes), Convert.ToHexString(encoded));
    }

    // ---- kafka-python 2.0.2 ----

    [Fact]
    public void KafkaPython_ApiVersions_v0_request_has_a_client_id_and_an_empty_body()
    {
        foreach (var frame in new[] { "kafka-python/18-v0-1.bin", "kafka-python/18-v0-2.bin" })
        {
            var decoded = Decode(frame);
            Assert.Equal(1, decoded.Header.HeaderVersion);
            Assert.NotNull(decoded.Header.ClientId);
            Assert.Equal(0, decoded.BodyLength);
        }
        Assert.Equal("kafka-python-producer-1", Decode("kafka-python/18-v0-1.bin").Header.ClientId);
        Assert.Equal("frames-kafka-python", Decode("kafka-python/18-v0-2.bin").Header.ClientId);
    }

    [Fact]
    public void KafkaPython_bootstrap_Metadata_v0_asks_for_all_topics_with_an_empty_list()
    {
        Assert.Empty(NotNull(Body<MetadataRequest>("kafka-python/3-v0-1.bin").Topics));
        Assert.Empty(NotNull(Body<MetadataRequest>("kafka-python/3-v0-2.bin").Topics));
    }

    [Fact]
    public void KafkaPython_Metadata_v1_asks_for_all_topics_with_null_and_for_one_topic_by_name()
    {
        Assert.Null(Body<MetadataRequest>("kafka-python/3-v1-1.bin").Topics);
        var topic = Assert.Single(NotNull(Body<MetadataRequest>("kafka-python/3-v1-2.bin").Topics));
        Assert.Equal("frames-kafka-python", topic.Name);
    }

    [Fact]
    public void KafkaPython_produce_v7_requires_all_acks_and_its_batch_decodes_to_the_produced_records()
    {
        var request = Body<ProduceRequest>("kafka-python/0-v7-1.bin");
        Assert.Null(request.TransactionalId);
        Assert.Equal(-1, request.Acks); // acks="all"
        Assert.Equal(30000, request.TimeoutMs);
        var batch = Assert.Single(SingleBatch(request, "frames-kafka-python"));
        Assert.Equal(CompressionType.None, batch.Compression);
        Assert.Equal(-1L, batch.ProducerId); // not idempotent
        Assert.Equal(-1, batch.BaseSequence);
        Assert.Equal(3, batch.RecordCount);
        var records = batch.EnumerateRecords();
        Assert.Equal(
            new[]
            {
                "key-0=kafka-python value 0 [source=kafka-python]",
                "key-1=kafka-python value 1 [source=kafka-python]",
                "key-2=kafka-python value 2 [source=kafka-python]",
            },
            records.Select(Describe));
        Assert.Equal(new[] { 0, 1, 2 }, records.Select(r => r.OffsetDelta));
    }

    [Fact]
    public void KafkaPython_seek_to_beginning_sends_ListOffsets_v1_for_the_earliest_offset()
    {
        var request = Body<ListOffsetsRequest>("kafka-python/2-v1-1.bin");
        Assert.Equal(-1, request.ReplicaId);
        var topic = Assert.Single(request.Topics);
        Assert.Equal("frames-kafka-python", topic.Name);
        var partition = Assert.Single(topic.Partitions);
        Assert.Equal(0, partition.PartitionIndex);
        Assert.Equal(-2L, partition.Timestamp); // EARLIEST
    }

    [Fact]
    public void KafkaPython_fetch_v4_reads_uncommitted_from_offset_zero_then_after_the_three_records()
    {
        var first = Body<FetchRequest>("kafka-python/1-v4-1.bin");
        var second = Body<FetchRequest>("kafka-python/1-v4-2.bin");
        foreach (var request in new[] { first, second })
        {
            Assert.Equal(-1, request.ReplicaId);
            Assert.Equal(0, request.IsolationLevel); // read_uncommitted
            Assert.Equal(500, request.MaxWaitMs);
            Assert.Equal(1, request.MinBytes);
            Assert.Equal(52428800, request.MaxBytes);
            Assert.Equal("frames-kafka-python", Assert.Single(request.Topics).Topic);
            Assert.Equal(1048576, Assert.Single(Assert.Single(request.Topics).Partitions).PartitionMaxBytes);
        }
        Assert.Equal(0L, Assert.Single(Assert.Single(first.Topics).Partitions).FetchOffset);
        Assert.Equal(3L, Assert.Single(Assert.Single(second.Topics).Partitions).FetchOffset);
    }

    // ---- kcat 1.7.1 / librdkafka 2.0.2 ----

    [Fact]
    public void Librdkafka_ApiVersions_v3_names_the_client_software_librdkafka_2_0_2()
    {
        var decoded = Decode("kcat/18-v3-1.bin");
        Assert.Equal(2, decoded.Header.HeaderVersion); // flexible header: client id, then tagged fields
        Assert.Equal("rdkafka", decoded.Header.ClientId);
        var request = Assert.IsType<ApiVersionsRequest>(decoded.Body);
        Assert.Equal("librdkafka", request.ClientSoftwareName);
        Assert.Equal("2.0.2", request.ClientSoftwareVersion);
    }

    [Fact]
    public void Kcat_produce_records_carry_the_key_and_the_headers_given_on_the_command_line()
    {
        var request = Body<ProduceRequest>("kcat/0-v7-1.bin");
        Assert.Equal(-1, request.Acks); // librdkafka's default acks=all
        var batch = Assert.Single(SingleBatch(request, "frames-kcat"));
        Assert.Equal(-1L, batch.ProducerId);
        Assert.Equal(
            new[]
            {
                "kcat-key-0=kcat value 0 [source=kcat,trace=frames]",
                "kcat-key-1=kcat value 1 [source=kcat,trace=frames]",
            },
            batch.EnumerateRecords().Select(Describe));
    }

    [Fact]
    public void Kcat_producer_Metadata_v4_allows_auto_creation_and_consumer_Metadata_v4_does_not()
    {
        var producer = Body<MetadataRequest>("kcat/3-v4-1.bin");
        var consumer = Body<MetadataRequest>("kcat/3-v4-2.bin");
        Assert.Equal("frames-kcat", Assert.Single(NotNull(producer.Topics)).Name);
        Assert.Equal("frames-kcat", Assert.Single(NotNull(consumer.Topics)).Name);
        Assert.True(producer.AllowAutoTopicCreation);
        Assert.False(consumer.AllowAutoTopicCreation); // allow.auto.create.topics=false for consumers
    }

    [Fact]
    public void Kcat_offset_beginning_sends_ListOffsets_v2_for_the_earliest_offset_read_committed()
    {
        var request = Body<ListOffsetsRequest>("kcat/2-v2-1.bin");
        Assert.Equal(1, request.IsolationLevel);
        var partition = Assert.Single(Assert.Single(request.Topics).Partitions);
        Assert.Equal(-2L, partition.Timestamp);
    }

    [Fact]
    public void Kcat_fetch_v11_is_read_committed_without_a_fetch_session_or_rack()
    {
        var first = Body<FetchRequest>("kcat/1-v11-1.bin");
        var second = Body<FetchRequest>("kcat/1-v11-2.bin");
        foreach (var request in new[] { first, second })
        {
            Assert.Equal(1, request.IsolationLevel); // librdkafka's default isolation.level=read_committed
            Assert.Equal(0, request.SessionId);
            Assert.Equal(-1, request.SessionEpoch); // full fetch, no incremental session
            Assert.Empty(request.ForgottenTopicsData);
            Assert.Equal("", request.RackId);
            var partition = Assert.Single(Assert.Single(request.Topics).Partitions);
            Assert.Equal(-1, partition.CurrentLeaderEpoch);
        }
        Assert.Equal(0L, Assert.Single(Assert.Single(first.Topics).Partitions).FetchOffset);
        Assert.Equal(2L, Assert.Single(Assert.Single(second.Topics).Partitions).FetchOffset);
    }

    // ---- kafkajs 2.2.4 ----

    [Fact]
    public void KafkaJs_ApiVersions_v2_starts_at_correlation_id_zero_with_an_empty_body()
    {
        foreach (var frame in new[] { "kafkajs/18-v2-1.bin", "kafkajs/18-v2-2.bin" })
        {
            var decoded = Decode(frame);
            Assert.Equal(0, decoded.Header.CorrelationId);
            Assert.Equal(1, decoded.Header.HeaderVersion);
            Assert.Equal(0, decoded.BodyLength);
        }
    }

    [Fact]
    public void KafkaJs_Metadata_v6_never_asks_for_auto_creation()
    {
        Assert.Null(Body<MetadataRequest>("kafkajs/3-v6-1.bin").Topics);
        Assert.False(Body<MetadataRequest>("kafkajs/3-v6-1.bin").AllowAutoTopicCreation);
        var named = Body<MetadataRequest>("kafkajs/3-v6-2.bin");
        Assert.Equal("frames-kafkajs", Assert.Single(NotNull(named.Topics)).Name);
        Assert.False(named.AllowAutoTopicCreation);
    }

    [Fact]
    public void KafkaJs_createTopics_sends_CreateTopics_v3_for_one_partition_replication_factor_one()
    {
        var request = Body<CreateTopicsRequest>("kafkajs/19-v3-1.bin");
        var topic = Assert.Single(request.Topics);
        Assert.Equal("frames-kafkajs", topic.Name);
        Assert.Equal(1, topic.NumPartitions);
        Assert.Equal(1, topic.ReplicationFactor);
        Assert.Empty(topic.Assignments);
        Assert.Empty(topic.Configs);
        Assert.Equal(5000, request.timeoutMs);
        Assert.False(request.validateOnly);
    }

    [Fact]
    public void KafkaJs_produce_v7_requires_all_acks_and_its_batch_decodes_to_the_sent_messages()
    {
        var request = Body<ProduceRequest>("kafkajs/0-v7-1.bin");
        Assert.Null(request.TransactionalId);
        Assert.Equal(-1, request.Acks);
        var batch = Assert.Single(SingleBatch(request, "frames-kafkajs"));
        Assert.Equal(CompressionType.None, batch.Compression);
        Assert.Equal(
            new[]
            {
                "kafkajs-key-0=kafkajs value 0 [source=kafkajs]",
                "kafkajs-key-1=kafkajs value 1 [source=kafkajs]",
            },
            batch.EnumerateRecords().Select(Describe));
    }

    [Fact]
    public void KafkaJs_non_idempotent_batch_has_no_producer_id_but_producer_epoch_and_base_sequence_zero()
    {
        // kafka-python and librdkafka write -1 for producer id, epoch and base sequence when not idempotent;
        // kafkajs writes -1 only for the producer id. A broker must not treat sequence 0 as idempotent state.
        var batch = Assert.Single(SingleBatch(Body<ProduceRequest>("kafkajs/0-v7-1.bin"), "frames-kafkajs"));
        Assert.Equal(-1L, batch.ProducerId);
        Assert.Equal(0, batch.ProducerEpoch);
        Assert.Equal(0, batch.BaseSequence);
        foreach (var (frame, topic) in new[] { ("kafka-python/0-v7-1.bin", "frames-kafka-python"), ("kcat/0-v7-1.bin", "frames-kcat") })
        {
            var other = Assert.Single(SingleBatch(Body<ProduceRequest>(frame), topic));
            Assert.Equal((-1L, (short)-1, -1), (other.ProducerId, other.ProducerEpoch, other.BaseSequence));
        }
    }

    [Fact]
    public void KafkaJs_fetchTopicOffsets_sends_ListOffsets_v3_for_latest_then_earliest_read_committed()
    {
        var latest = Body<ListOffsetsRequest>("kafkajs/2-v3-1.bin");
        var earliest = Body<ListOffsetsRequest>("kafkajs/2-v3-2.bin");
        Assert.Equal(-1L, Assert.Single(Assert.Single(latest.Topics).Partitions).Timestamp);
        Assert.Equal(-2L, Assert.Single(Assert.Single(earliest.Topics).Partitions).Timestamp);
        Assert.All(new[] { latest, earliest }, r => Assert.Equal(1, r.IsolationLevel));
    }
}
