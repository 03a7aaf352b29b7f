// Produces and consumes through the actor proxies of a running node:
//   actorbroker run --akka-port 4053 &
//   dotnet run --project src/ActorBroker.Examples -- 127.0.0.1:4053
using System.Text;
using ActorBroker.Client;
using ActorBroker.Cluster;
using ActorBroker.Protocol.Records;

string seed = args.FirstOrDefault() ?? "127.0.0.1:4053";
var options = ActorBrokerClientOptions.Create(Akka.Configuration.ConfigurationFactory.ParseString("akka.loglevel = WARNING"))
    .WithSeedNodes(seed);

await using var client = await ActorBrokerClient.ConnectAsync(options);
Console.WriteLine($"Joined the cluster; brokers: {string.Join(", ", client.Brokers.Select(b => $"node {b.NodeId} (Kafka {b.Host}:{b.Port})"))}");

string topic = $"example-{DateTime.UtcNow:yyyyMMddHHmmss}";
await client.Admin.CreateTopicAsync(topic, partitions: 3);

// Produce: keyed records land where a Kafka producer would put them (murmur2 of the key).
for (int i = 0; i < 10; i++)
{
    var result = await client.ProduceAsync(topic,
        key: Encoding.UTF8.GetBytes($"customer-{i % 4}"),
        value: Encoding.UTF8.GetBytes($"order {i}"),
        headers: [new RecordHeader("source", Encoding.UTF8.GetBytes("example"))]);
    Console.WriteLine($"produced order {i} to {result.Topic}-{result.Partition} at offset {result.Offset}");
}

// Consume: subscribe with a group (Kafka consumers may join the same group), read, commit.
await using var consumer = client.CreateConsumer(groupId: "example-readers");
consumer.Subscribe([topic]);
using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
int read = 0;
await foreach (var record in consumer.ConsumeAsync(timeout.Token))
{
    Console.WriteLine($"consumed {Encoding.UTF8.GetString(record.Key!.Value.Span)} = {Encoding.UTF8.GetString(record.Value!.Value.Span)} " +
                      $"from {record.Topic}-{record.Partition}@{record.Offset}");
    if (++read == 10)
        break;
}
await consumer.CommitAsync();
var committed = await consumer.CommittedAsync(consumer.Assignment);
Console.WriteLine($"committed: {string.Join(", ", committed.Select(c => $"{c.Key}={c.Value}"))}");
await client.Admin.DeleteTopicAsync(topic);
