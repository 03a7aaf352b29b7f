using System.Collections.Concurrent;
using System.Text;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Records;
using ActorBroker.TestKit;

namespace ActorBroker.ClusterMode.Tests;

/// <summary>
/// Produces one record per request with acks=all to one partition through one gateway, over the raw Kafka protocol,
/// and keeps every answer: unlike a Confluent.Kafka producer, which retries retriable errors silently, it shows
/// exactly which error codes a client got while a partition moved. A failed record is sent again (a retry may store
/// it twice, as any producer's would).
/// </summary>
public sealed class WireProduceProbe(string host, int port, string topic, int partition)
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(40);

    public ConcurrentQueue<ErrorCode> Errors { get; } = new();

    public ConcurrentBag<(int Partition, long Offset, string Value)> Acknowledged { get; } = new();

    public async Task RunAsync(CancellationToken stop)
    {
        await using var client = await KafkaWireClient.ConnectAsync(host, port);
        for (int i = 0; !stop.IsCancellationRequested; i++)
        {
            string value = $"probe-{i:D6}";
            while (true)
            {
                var batch = new RecordBatchBuilder().Add(Encoding.UTF8.GetBytes($"p{i}"), Encoding.UTF8.GetBytes(value)).Build();
                var response = await client.SendAsync<ProduceResponse>(new ProduceRequest
                {
                    Acks = -1,
                    TimeoutMs = 30_000,
                    TopicData = [new() { Name = topic, PartitionData = [new() { Index = partition, Records = batch }] }],
                }, 8).WaitAsync(AnswerTimeout);
                var answer = response.Responses.Single().PartitionResponses.Single();
                if (answer.ErrorCode == (short)ErrorCode.None)
                {
                    Acknowledged.Add((partition, answer.BaseOffset, value));
                    break;
                }
                Errors.Enqueue((ErrorCode)answer.ErrorCode);
                await Task.Delay(100);
            }
            await Task.Delay(20);
        }
    }
}
