using System.Text;
using ActorBroker.Client.Consuming;

namespace ActorBroker.Client.Tests;

public static class ClientTestSupport
{
    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(ReadOnlyMemory<byte>? bytes) => bytes is { } b ? Encoding.UTF8.GetString(b.Span) : "<null>";

    /// <summary>Consumes until <paramref name="count"/> records arrived; fails after <paramref name="timeout"/>.</summary>
    public static async Task<List<ConsumeResult>> ConsumeAsync(ActorBrokerConsumer consumer, int count, TimeSpan timeout)
    {
        var records = new List<ConsumeResult>(count);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await foreach (var record in consumer.ConsumeAsync(cts.Token))
            {
                records.Add(record);
                if (records.Count == count)
                    break;
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"Consumed {records.Count} of {count} records within {timeout}.");
        }
        return records;
    }
}
