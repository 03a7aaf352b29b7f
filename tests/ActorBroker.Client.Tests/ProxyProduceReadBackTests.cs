using System.Globalization;
using System.Text;
using ActorBroker.Client.Producing;
using ActorBroker.Cluster;
using ActorBroker.Compatibility.Tests;
using ActorBroker.Protocol.Records;
using ActorBroker.TestKit;
using static ActorBroker.Client.Tests.ClientTestSupport;

namespace ActorBroker.Client.Tests;

/// <summary>Records produced through the proxy are ordinary Kafka records: kcat, kafka-python and the proxy consumer read them back.</summary>
public sealed class ProxyProduceReadBackTests(ClientNodeFixture fixture) : IClassFixture<ClientNodeFixture>
{
    private const int Count = 100_000;
    private const long BaseTimestamp = 1_700_000_000_000;

    private static string Key(int i) => $"key-{i:D6}";

    private static string Value(int i)
    {
        var random = new Random(i);
        var sb = new StringBuilder("v").Append(i).Append(':');
        int length = random.Next(0, i % 100 == 0 ? 3000 : 120);
        for (int n = 0; n < length; n++)
            sb.Append((char)random.Next('!', '~' + 1));
        return sb.ToString();
    }

    private static ProducerRecord Record(int i) => new(
        Utf8(Key(i)), Utf8(Value(i)),
        [new RecordHeader("source", Utf8("proxy")), new RecordHeader("i", Utf8(i.ToString(CultureInfo.InvariantCulture)))],
        BaseTimestamp + i);

    [Fact]
    public async Task A_hundred_thousand_proxy_records_read_back_byte_for_byte_with_kcat_kafka_python_and_the_proxy_consumer()
    {
        var node = fixture.Node;
        var client = fixture.Client;
        await fixture.WithTopicAsync("proxy-100k", 1, async topic =>
        {
            var results = new List<ProduceResult>(Count);
            for (int chunk = 0; chunk < Count; chunk += 10_000)
                results.AddRange(await client.ProduceBatchAsync(topic, Enumerable.Range(chunk, 10_000).Select(Record)));
            Assert.Equal(Enumerable.Range(0, Count).Select(i => (long)i), results.Select(r => r.Offset));
            Assert.All(results, r => Assert.Equal(0, r.Partition));

            var kcat = await ExternalCommand.RunAsync("kcat",
                ["-C", "-b", node.BootstrapServers, "-t", topic, "-p", "0", "-o", "beginning", "-e", "-q", "-f", "%o|%T|%k|%h|%s\n"],
                timeout: TimeSpan.FromMinutes(3));
            kcat.EnsureSuccess();
            var kcatExpected = new StringBuilder();
            for (int i = 0; i < Count; i++)
                kcatExpected.Append(CultureInfo.InvariantCulture, $"{i}|{BaseTimestamp + i}|{Key(i)}|source=proxy,i={i}|{Value(i)}\n");
            AssertSameLines(kcatExpected.ToString(), kcat.Stdout, "kcat");

            var python = await ExternalCommand.RunAsync("/usr/bin/python3",
                [Path.Combine(AppContext.BaseDirectory, "python", "read_all.py"), node.BootstrapServers, topic, Count.ToString(CultureInfo.InvariantCulture)],
                timeout: TimeSpan.FromMinutes(3));
            python.EnsureSuccess();
            var pythonExpected = new StringBuilder();
            for (int i = 0; i < Count; i++)
                pythonExpected.Append(CultureInfo.InvariantCulture,
                    $"{i}|{BaseTimestamp + i}|{Hex(Key(i))}|source={Hex("proxy")},i={Hex(i.ToString(CultureInfo.InvariantCulture))}|{Hex(Value(i))}\n");
            AssertSameLines(pythonExpected.ToString(), python.Stdout, "kafka-python");

            await using var consumer = client.CreateConsumer();
            consumer.Assign([new TopicPartition(topic, 0)]);
            var consumed = await ConsumeAsync(consumer, Count, TimeSpan.FromMinutes(2));
            for (int i = 0; i < Count; i++)
            {
                var record = consumed[i];
                if (record.Offset != i || Text(record.Key) != Key(i) || Text(record.Value) != Value(i) || record.Timestamp != BaseTimestamp + i
                    || record.Headers.Count != 2 || Encoding.UTF8.GetString(record.Headers[1].Value!) != i.ToString(CultureInfo.InvariantCulture))
                    Assert.Fail($"The proxy consumer read record {i} as offset {record.Offset}, key {Text(record.Key)}, timestamp {record.Timestamp}.");
            }
        });
    }

    private static string Hex(string text) => Convert.ToHexStringLower(Encoding.UTF8.GetBytes(text));

    private static void AssertSameLines(string expected, string actual, string reader)
    {
        if (expected == actual)
            return;
        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        int first = Enumerable.Range(0, Math.Min(expectedLines.Length, actualLines.Length)).FirstOrDefault(i => expectedLines[i] != actualLines[i], -1);
        Assert.Fail($"{reader} read {actualLines.Length - 1} lines, expected {expectedLines.Length - 1}; first difference at line {first}:\n" +
                    $"expected: {(first >= 0 ? expectedLines[first] : "-")}\nactual:   {(first >= 0 ? actualLines[first] : "-")}");
    }
}
