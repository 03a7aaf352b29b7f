using System.Buffers.Binary;
using System.Net.Sockets;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Event;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Protocol;

namespace ActorBroker.Cluster.Replication.Stream;

/// <summary>
/// One follower node's connection to this node's <see cref="ReplicationListener"/>: a read loop hands every fetch to
/// the partition's leader entity at once (they long-poll, so many are open together) and a write loop sends the
/// answers as they come, each tagged with its request's correlation id; records the leader answers with as a range of
/// a segment file go out with sendfile. A frame that is not a fetch closes the connection; the follower reconnects.
/// </summary>
internal sealed class ReplicationServerConnection(Socket socket, IActorRef partitions, ILoggingAdapter log, CancellationToken stopping)
{
    private static readonly TimeSpan AskMargin = TimeSpan.FromSeconds(5);

    private readonly Channel<(int Correlation, object Answer)> _answers =
        Channel.CreateUnbounded<(int, object)>(new UnboundedChannelOptions { SingleReader = true });

    public async Task RunAsync()
    {
        var peer = socket.RemoteEndPoint;
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        var writing = WriteLoopAsync(stream, peer, closing);
        try
        {
            await ReadLoopAsync(stream, closing.Token);
        }
        catch (InvalidDataException e)
        {
            log.Warning("Closing the replication connection from {0}: {1}", peer, e.Message);
        }
        catch (Exception e) when (e is IOException or SocketException or EndOfStreamException or OperationCanceledException)
        {
            // the follower closed it, or this node stops
        }
        finally
        {
            _answers.Writer.TryComplete();
            await closing.CancelAsync();
            await writing;
        }
    }

    private async Task ReadLoopAsync(NetworkStream stream, CancellationToken token)
    {
        var buffered = new BufferedStream(stream, 8 * 1024);
        var size = new byte[4];
        while (true)
        {
            await buffered.ReadExactlyAsync(size, token);
            int length = BinaryPrimitives.ReadInt32BigEndian(size);
            if (length <= 0 || length > ReplicaFetchFrames.MaxRequestSize)
                throw new InvalidDataException($"a frame of {length} bytes is not a replica fetch request");
            var body = new byte[length];
            await buffered.ReadExactlyAsync(body, token);
            var (correlation, fetch) = ReplicaFetchFrames.DecodeRequest(body, DateTime.UtcNow);
            _ = partitions.Ask<object>(fetch with { TakesFileSlice = true }, fetch.Deadline - DateTime.UtcNow + AskMargin).ContinueWith(
                asked => _answers.Writer.TryWrite((correlation, asked.IsCompletedSuccessfully ? asked.Result : Unanswered)),
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task WriteLoopAsync(NetworkStream stream, System.Net.EndPoint? peer, CancellationTokenSource closing)
    {
        try
        {
            await foreach (var (correlation, answer) in _answers.Reader.ReadAllAsync(closing.Token))
            {
                switch (answer)
                {
                    case ReplicaFetchFileResult { Records.IsIntact: true } file:
                        await SendFromFileAsync(correlation, file);
                        break;
                    case ReplicaFetchFileResult:
                        await WriteAsync(stream, correlation, LogChanged, closing.Token);
                        break;
                    case ReplicaFetchResult result:
                        await WriteAsync(stream, correlation, result, closing.Token);
                        break;
                    default:
                        await WriteAsync(stream, correlation, Unanswered, closing.Token);
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            await closing.CancelAsync(); // the read loop ends too
        }
        catch (Exception e)
        {
            log.Error(e, "Closing the replication connection to {0}: sending an answer failed", peer);
            await closing.CancelAsync();
        }
    }

    private static async Task WriteAsync(NetworkStream stream, int correlation, ReplicaFetchResult result, CancellationToken token)
    {
        await stream.WriteAsync(ReplicaFetchFrames.EncodeResponseHead(correlation, result, result.Records.Length), token);
        if (!result.Records.IsEmpty)
            await stream.WriteAsync(result.Records, token);
    }

    /// <summary>
    /// The header, then the records straight from the segment file's pages (sendfile(2)): no copy into this process
    /// and none out of it. A send that ends short found the file shorter than when it was read (truncated since):
    /// the frame is broken, so the connection closes and the follower reconnects.
    /// </summary>
    private async Task SendFromFileAsync(int correlation, ReplicaFetchFileResult file)
    {
        var head = ReplicaFetchFrames.EncodeResponseHead(correlation, file.Result, file.Records.Length);
        long sent = await SocketFileSend.SendAsync(socket, head, file.Records.File, file.Records.Position, file.Records.Length);
        if (sent != head.Length + file.Records.Length)
            throw new IOException($"sent {sent} of {head.Length + file.Records.Length} bytes: the segment file shrank while being sent");
    }

    /// <summary>The leader entity did not answer in time (it is moving, or its node is overloaded): the follower retries.</summary>
    private static readonly ReplicaFetchResult Unanswered = new(ErrorCode.RequestTimedOut, ReadOnlyMemory<byte>.Empty, -1, -1, -1);

    /// <summary>The leader's log changed (truncated, retention, cleaning) between reading and sending: the follower checks again where to fetch.</summary>
    private static readonly ReplicaFetchResult LogChanged = new(ErrorCode.NotLeaderOrFollower, ReadOnlyMemory<byte>.Empty, -1, -1, -1);
}
