using System.Text;
using ActorBroker.TestKit;
using Confluent.Kafka;
using Xunit;

namespace ActorBroker.Compatibility.Tests;

/// <summary>One node shared by the tests of a class (they use distinct topics).</summary>
public sealed class NodeFixture : IAsyncLifetime
{
    private NodeProcess? _node;

    public NodeProcess Node => _node ?? throw new InvalidOperationException("The node fixture did not start.");

    public async Task InitializeAsync() => _node = await NodeProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_node is not null)
            await _node.DisposeAsync();
    }
}

public static class TestTopics
{
    /// <summary>A topic name no other test uses.</summary>
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];
}

/// <summary>Confluent.Kafka (librdkafka) clients configured for tests: explicit partitions, no consumer group protocol.</summary>
public static class ConfluentClients
{
    public static IProducer<byte[], byte[]> Producer(string bootstrap, CompressionType compression = CompressionType.None) =>
        new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            ClientId = "compat-confluent-producer",
            Acks = Acks.All,
            CompressionType = compression,
            LingerMs = 5,
            MessageTimeoutMs = 60_000,
            EnableIdempotence = false, // InitProducerId is not served yet
        }).Build();

    /// <summary>
    /// A consumer used only with Assign: librdkafka wants a group.id, but with no Subscribe and no commits it
    /// never joins the group.
    /// </summary>
    public static IConsumer<byte[], byte[]> Consumer(string bootstrap) =>
        new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            ClientId = "compat-confluent-consumer",
            GroupId = "compat-assign-only",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Error,
            EnablePartitionEof = false,
        }).Build();

    /// <summary>Produces <paramref name="messages"/> to partition 0 in order and returns the delivery reports in send order.</summary>
    public static async Task<List<DeliveryResult<byte[], byte[]>>> ProduceAllAsync(
        string bootstrap, string topic, IReadOnlyList<Message<byte[], byte[]>> messages, CompressionType compression = CompressionType.None)
    {
        using var producer = Producer(bootstrap, compression);
        var tp = new TopicPartition(topic, new Partition(0));
        var tasks = messages.Select(m => producer.ProduceAsync(tp, m)).ToList();
        var results = (await Task.WhenAll(tasks)).ToList();
        producer.Flush(TimeSpan.FromSeconds(30));
        return results;
    }

    /// <summary>Reads partition 0 from the beginning until <paramref name="count"/> records arrived or the timeout passed.</summary>
    public static List<ConsumeResult<byte[], byte[]>> ConsumeFromBeginning(string bootstrap, string topic, int count, TimeSpan timeout)
    {
        using var consumer = Consumer(bootstrap);
        consumer.Assign(new TopicPartitionOffset(topic, new Partition(0), Offset.Beginning));
        var records = new List<ConsumeResult<byte[], byte[]>>(count);
        var deadline = DateTime.UtcNow + timeout;
        while (records.Count < count && DateTime.UtcNow < deadline)
        {
            try
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
                if (result is { IsPartitionEOF: false })
                    records.Add(result);
            }
            catch (ConsumeException e) when (!e.Error.IsFatal)
            {
                // e.g. the topic does not exist yet; keep polling until the deadline.
            }
        }

        consumer.Close();
        return records;
    }
}

/// <summary>Deterministic records with keys, headers and values of varied length and content.</summary>
public static class TestRecords
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 .,;!?-_=+*/'\"é日本語€";

    public static byte[] Key(string source, int i) => Encoding.UTF8.GetBytes($"{source}-key-{i:D6}");

    public static byte[] Value(int i)
    {
        var random = new Random(i);
        var length = i % 97 == 0 ? 0 : random.Next(1, i % 10 == 0 ? 2000 : 200);
        var sb = new StringBuilder(length + 16).Append("v").Append(i).Append(':');
        for (var n = 0; n < length; n++)
            sb.Append(Alphabet[random.Next(Alphabet.Length)]);
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public static List<Message<byte[], byte[]>> Messages(string source, int count) =>
        Enumerable.Range(0, count).Select(i => new Message<byte[], byte[]>
        {
            Key = Key(source, i),
            Value = Value(i),
            Headers = new Headers
            {
                { "index", Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)) },
                { "source", Encoding.UTF8.GetBytes(source) },
            },
        }).ToList();

    public static string Text(byte[]? bytes) => bytes is null ? "<null>" : Encoding.UTF8.GetString(bytes);

    public static string HeadersText(Headers? headers) =>
        headers is null ? "" : string.Join(",", headers.Select(h => $"{h.Key}={Text(h.GetValueBytes())}"));

    /// <summary>Asserts that <paramref name="consumed"/> holds exactly the produced records, in order, at the reported offsets.</summary>
    public static void AssertReadBack(
        IReadOnlyList<Message<byte[], byte[]>> sent,
        IReadOnlyList<DeliveryResult<byte[], byte[]>> delivered,
        IReadOnlyList<ConsumeResult<byte[], byte[]>> consumed)
    {
        Assert.Equal(sent.Count, delivered.Count);
        Assert.All(delivered, d => Assert.Equal(PersistenceStatus.Persisted, d.Status));
        var firstOffset = delivered[0].Offset.Value;
        for (var i = 0; i < delivered.Count; i++)
        {
            // Without idempotence a retry could reorder; on a healthy local broker none happens, so offsets follow send order.
            Assert.True(delivered[i].Offset.Value == firstOffset + i,
                $"delivery report {i} has offset {delivered[i].Offset.Value}, expected {firstOffset + i} (send order)");
        }

        Assert.True(consumed.Count == sent.Count, $"consumed {consumed.Count} of {sent.Count} records");
        for (var i = 0; i < consumed.Count; i++)
        {
            var c = consumed[i];
            Assert.True(c.Offset.Value == delivered[i].Offset.Value,
                $"record {i}: consumed at offset {c.Offset.Value}, producer reported {delivered[i].Offset.Value}");
            Assert.True(sent[i].Key.AsSpan().SequenceEqual(c.Message.Key),
                $"record {i} key: sent {Text(sent[i].Key)}, got {Text(c.Message.Key)}");
            Assert.True(sent[i].Value.AsSpan().SequenceEqual(c.Message.Value),
                $"record {i} value differs: sent {sent[i].Value.Length} bytes, got {c.Message.Value?.Length} bytes");
            Assert.Equal(HeadersText(sent[i].Headers), HeadersText(c.Message.Headers));
        }
    }
}
