using System.Text;
using ActorBroker.Node.Admin;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Records;

namespace ActorBroker.Node.Commands;

/// <summary><c>actorbroker produce TOPIC</c>: stdin lines become records of one partition, in order.</summary>
public static class ProduceCommand
{
    public const string Help = """
        actorbroker produce TOPIC [options]

        Reads stdin and sends one record per line (without its line ending) to one partition of TOPIC, in order,
        with acks=all. Lines are sent in RecordBatches of up to 500 records or 1 MiB, one request at a time; the
        last batch goes at end of input (Ctrl+D on a terminal). Prints "Produced N records to TOPIC" to stderr at
        the end, and progress every 100,000 records. Create the topic first (actorbroker topics create) unless the
        broker creates topics on first use (actorbroker.auto-create-topics, on by default).

        Options:
          --partition N         the partition to write, default 0
          --key-separator SEP   split each line at the first SEP: the part before is the key, the rest the value;
                                a line without SEP has a null key. Without this option keys are null.
          --bootstrap H:P       a broker's Kafka listener, default 127.0.0.1:9092

        Examples:
          seq 1000 | actorbroker produce numbers
          printf 'user-1:login\nuser-2:logout\n' | actorbroker produce events --key-separator :
          actorbroker produce orders --partition 2 < orders.jsonl
        """;

    public static readonly string[] ValueOptions = AdminOptions.With("partition", "key-separator");

    public const int MaxBatchRecords = 500;
    public const int MaxBatchBytes = 1024 * 1024;
    private const int ProgressEvery = 100_000;

    public static async Task<int> RunAsync(CommandLine line, CancellationToken cancellationToken)
    {
        string topic = AdminOptions.SingleName(line, "topic");
        int partition = line.Int("partition") ?? 0;
        if (partition < 0)
            throw new UsageException($"--partition must be 0 or more, but is {partition}.");
        string? separatorText = line.Value("key-separator");
        if (separatorText is "")
            throw new UsageException("--key-separator must not be empty.");
        byte[]? separator = separatorText is null ? null : Encoding.UTF8.GetBytes(separatorText);

        await using var connection = await AdminOptions.ConnectAsync(line, cancellationToken).ConfigureAwait(false);
        var producer = new Producer(connection, topic, partition);
        using var stdin = Console.OpenStandardInput();
        var lines = new LineReader(stdin);

        var batch = new RecordBatchBuilder();
        int batchBytes = 0;
        while (await lines.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } lineBytes)
        {
            ReadOnlyMemory<byte>? key = null;
            ReadOnlyMemory<byte> value = lineBytes;
            if (separator is not null)
            {
                int at = lineBytes.AsSpan().IndexOf(separator);
                if (at >= 0)
                {
                    key = lineBytes.AsMemory(0, at);
                    value = lineBytes.AsMemory(at + separator.Length);
                }
            }
            int size = lineBytes.Length + 24; // the record's own overhead, roughly
            if (batch.Count > 0 && (batch.Count >= MaxBatchRecords || batchBytes + size > MaxBatchBytes))
            {
                await producer.SendAsync(batch, cancellationToken).ConfigureAwait(false);
                batch = new RecordBatchBuilder();
                batchBytes = 0;
            }
            batch.Add(key, value);
            batchBytes += size;
        }
        if (batch.Count > 0)
            await producer.SendAsync(batch, cancellationToken).ConfigureAwait(false);

        Console.Error.WriteLine($"Produced {producer.Produced} records to {topic}");
        return 0;
    }

    /// <summary>Sends batches one request at a time and counts what the broker acknowledged.</summary>
    private sealed class Producer(KafkaAdminConnection connection, string topic, int partition)
    {
        public long Produced { get; private set; }

        public async Task SendAsync(RecordBatchBuilder batch, CancellationToken cancellationToken)
        {
            var response = await connection.ProduceAsync(new ProduceRequest
            {
                Acks = -1,
                TimeoutMs = 30_000,
                TopicData =
                [
                    new ProduceRequest.TopicProduceData
                    {
                        Name = topic,
                        PartitionData = [new ProduceRequest.PartitionProduceData { Index = partition, Records = batch.Build() }],
                    },
                ],
            }, cancellationToken).ConfigureAwait(false);
            var result = response.Responses.Where(t => t.Name == topic).SelectMany(t => t.PartitionResponses).FirstOrDefault(p => p.Index == partition)
                ?? throw new CommandFailedException($"The broker's Produce response has no result for {topic}-{partition}.");
            if (result.ErrorCode != 0)
            {
                string message = result.ErrorMessage ?? string.Join("; ", result.RecordErrors.Select(e => $"record {e.BatchIndex}: {e.BatchIndexErrorMessage}"));
                throw new CommandFailedException(
                    KafkaErrors.Describe(result.ErrorCode, message, $"producing to {topic}-{partition} after {Produced} records"));
            }
            long before = Produced;
            Produced += batch.Count;
            if (Produced / ProgressEvery != before / ProgressEvery)
                Console.Error.WriteLine($"... {Produced} records produced to {topic}-{partition}");
        }
    }
}

/// <summary>
/// Splits a byte stream at '\n' (dropping a '\r' before it), byte-exact: the lines are not decoded, so any bytes
/// (UTF-8 or not) reach the broker unchanged. A last line without '\n' counts; an empty input has no lines.
/// </summary>
public sealed class LineReader(Stream input)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private bool _eof;

    public async Task<byte[]?> ReadLineAsync(CancellationToken cancellationToken)
    {
        MemoryStream? longLine = null; // for lines longer than the buffer
        while (true)
        {
            int newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var span = _buffer.AsSpan(_start, newline);
                _start += newline + 1;
                return Finish(longLine, span);
            }
            if (_eof)
            {
                var rest = _buffer.AsSpan(_start, _end - _start);
                _start = _end;
                if (rest.Length == 0 && (longLine is null || longLine.Length == 0))
                    return null;
                return Finish(longLine, rest);
            }
            if (_start > 0 && _end == _buffer.Length)
            {
                // Move the partial line to the front to make room.
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            else if (_start == 0 && _end == _buffer.Length)
            {
                // A line longer than the buffer: keep what we have aside.
                longLine ??= new MemoryStream();
                longLine.Write(_buffer, 0, _end);
                _end = 0;
            }
            int read = await input.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
                _eof = true;
            _end += read;
        }
    }

    private static byte[] Finish(MemoryStream? prefix, ReadOnlySpan<byte> tail)
    {
        byte[] line;
        if (prefix is null)
        {
            line = tail.ToArray();
        }
        else
        {
            prefix.Write(tail);
            line = prefix.ToArray();
        }
        return line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;
    }
}
