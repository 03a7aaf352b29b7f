using System.Runtime.InteropServices;
using ActorBroker.Node.Admin;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Records;

namespace ActorBroker.Node.Commands;

/// <summary><c>actorbroker consume TOPIC</c>: print one partition's record values, one per line.</summary>
public static class ConsumeCommand
{
    public const string Help = """
        actorbroker consume TOPIC [options]

        Prints the records of one partition of TOPIC to stdout, one per line: the value's bytes as they are (UTF-8
        text prints as text; a null value prints as an empty line). Fetches in a loop with long polling and stops
        after --max records, after --timeout-ms without a new record, or on Ctrl+C (SIGINT) or SIGTERM; then prints
        "Consumed N records" to stderr. Compressed batches (gzip, snappy, lz4, zstd) are decoded. No consumer
        group is joined and no offsets are committed.

        Options:
          --partition N       the partition to read, default 0
          --from-beginning    start at the log start offset instead of the end (new records only)
          --offset N          start at offset N
          --max N             stop after N records
          --timeout-ms N      stop when no record arrived for N ms; default: wait for more until stopped
          --print-offset      print "OFFSET<TAB>" before each record
          --print-key         print "KEY<TAB>" before each value (an empty key for a null key)
          --bootstrap H:P     a broker's Kafka listener, default 127.0.0.1:9092

        Examples:
          actorbroker consume orders --from-beginning --max 10
          actorbroker consume events --print-offset --print-key --timeout-ms 5000
          actorbroker consume orders --partition 2 --offset 1000
        """;

    public static readonly string[] ValueOptions = AdminOptions.With("partition", "offset", "max", "timeout-ms");
    public static readonly string[] FlagOptions = ["from-beginning", "print-key", "print-offset"];

    private const int MaxPollMs = 1_000;
    private const int FetchMaxBytes = 4 * 1024 * 1024;
    private const int PartitionMaxBytes = 1024 * 1024;

    public static async Task<int> RunAsync(CommandLine line, CancellationToken cancellationToken)
    {
        string topic = AdminOptions.SingleName(line, "topic");
        int partition = line.Int("partition") ?? 0;
        int? max = line.Int("max");
        int? timeoutMs = line.Int("timeout-ms");
        int? offsetOption = line.Int("offset");
        bool fromBeginning = line.Has("from-beginning");
        bool printKey = line.Has("print-key");
        bool printOffset = line.Has("print-offset");
        if (partition < 0)
            throw new UsageException($"--partition must be 0 or more, but is {partition}.");
        if (max is < 1)
            throw new UsageException($"--max must be at least 1, but is {max}.");
        if (timeoutMs is < 0)
            throw new UsageException($"--timeout-ms must be 0 or more, but is {timeoutMs}.");
        if (offsetOption is < 0)
            throw new UsageException($"--offset must be 0 or more, but is {offsetOption}.");
        if (offsetOption is not null && fromBeginning)
            throw new UsageException("Use either --offset or --from-beginning, not both.");

        // Ctrl+C and SIGTERM end the loop cleanly: what was printed is flushed and the count reported.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        await using var connection = await AdminOptions.ConnectAsync(line, stop.Token).ConfigureAwait(false);
        long offset = offsetOption ?? await connection.ListOffsetAsync(
            topic, partition, fromBeginning ? ListOffsetsTimestamp.Earliest : ListOffsetsTimestamp.Latest, stop.Token).ConfigureAwait(false);

        await using var stdout = new BufferedStream(Console.OpenStandardOutput(), 64 * 1024);
        long consumed = 0;
        var lastRecord = DateTime.UtcNow;
        try
        {
            while (max is null || consumed < max)
            {
                int pollMs = MaxPollMs;
                if (timeoutMs is { } idle)
                {
                    int left = idle - (int)(DateTime.UtcNow - lastRecord).TotalMilliseconds;
                    if (left <= 0)
                        break;
                    pollMs = Math.Min(pollMs, left);
                }

                var data = await FetchAsync(connection, topic, partition, offset, pollMs, stop.Token).ConfigureAwait(false);
                int before = (int)Math.Min(consumed, int.MaxValue);
                foreach (var batch in Batches(data.Records ?? ReadOnlyMemory<byte>.Empty, topic, partition))
                {
                    if (batch.IsControl)
                    {
                        offset = Math.Max(offset, batch.NextOffset);
                        continue;
                    }
                    foreach (var record in batch.EnumerateRecords())
                    {
                        if (record.Offset < offset)
                            continue; // a compressed batch starts before the offset asked for
                        Print(stdout, record, printOffset, printKey);
                        offset = record.Offset + 1;
                        consumed++;
                        if (consumed == max)
                            break;
                    }
                    if (consumed == max)
                        break;
                    offset = Math.Max(offset, batch.NextOffset);
                }
                if (consumed != before)
                {
                    lastRecord = DateTime.UtcNow;
                    await stdout.FlushAsync(stop.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Stopped by a signal.
        }
        await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        Console.Error.WriteLine($"Consumed {consumed} records");
        return 0;
    }

    private static async Task<FetchResponse.PartitionData> FetchAsync(
        KafkaAdminConnection connection, string topic, int partition, long offset, int maxWaitMs, CancellationToken cancellationToken)
    {
        var response = await connection.FetchAsync(new FetchRequest
        {
            ReplicaId = -1,
            MaxWaitMs = maxWaitMs,
            MinBytes = 1,
            MaxBytes = FetchMaxBytes,
            IsolationLevel = 0,
            SessionId = 0,
            SessionEpoch = -1, // a full fetch without a session
            Topics =
            [
                new FetchRequest.FetchTopic
                {
                    Topic = topic,
                    Partitions = [new FetchRequest.FetchPartition { Partition = partition, FetchOffset = offset, PartitionMaxBytes = PartitionMaxBytes }],
                },
            ],
        }, cancellationToken).ConfigureAwait(false);
        KafkaErrors.ThrowIfError(response.ErrorCode, null, $"fetching {topic}-{partition}");
        var data = response.Responses.Where(t => t.Topic == topic).SelectMany(t => t.Partitions).FirstOrDefault(p => p.PartitionIndex == partition)
            ?? throw new CommandFailedException($"The broker's Fetch response has no data for {topic}-{partition}.");
        KafkaErrors.ThrowIfError(data.ErrorCode, null, $"fetching {topic}-{partition} at offset {offset}");
        return data;
    }

    /// <summary>
    /// The whole batches in a fetch response's records, checked (CRC included). A batch cut off at the end is
    /// normal (the broker fills up to the byte limit) and is fetched again next time.
    /// </summary>
    private static IEnumerable<RecordBatch> Batches(ReadOnlyMemory<byte> records, string topic, int partition)
    {
        while (records.Length > 0)
        {
            var check = RecordBatch.Check(records.Span, out int size);
            if (check == BatchCheck.Incomplete)
                yield break;
            if (check != BatchCheck.Valid)
                throw new CommandFailedException(
                    $"The broker sent a bad record batch for {topic}-{partition} ({check}); the log may be corrupt, check the broker's log.");
            yield return new RecordBatch(records[..size]);
            records = records[size..];
        }
    }

    private static void Print(Stream output, Record record, bool printOffset, bool printKey)
    {
        if (printOffset)
        {
            output.Write(System.Text.Encoding.ASCII.GetBytes(record.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            output.WriteByte((byte)'\t');
        }
        if (printKey)
        {
            if (record.Key is { } key)
                output.Write(key.Span);
            output.WriteByte((byte)'\t');
        }
        if (record.Value is { } value)
            output.Write(value.Span);
        output.WriteByte((byte)'\n');
    }
}
