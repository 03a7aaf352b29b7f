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
/// answers as they come, each tagged with its request's correlation id. A frame that is not a fetch closes the
/// connection; the follower reconnects.
/// </summary>
internal sealed class ReplicationServerConnection(Socket socket, IActorRef partitions, ILoggingAdapter log, CancellationToken stopping)
{
    private static readonly TimeSpan AskMargin = TimeSpan.FromSeconds(5);

    private readonly Channel<(int Correlation, ReplicaFetchResult Result)> _answers =
        Channel.CreateUnbounded<(int, ReplicaFetchResult)>(new UnboundedChannelOptions { SingleReader = true });

    public async Task RunAsync()
    {
        var peer = socket.RemoteEndPoint;
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        var writing = WriteLoopAsync(stream, closing);
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
            _ = partitions.Ask<ReplicaFetchResult>(fetch, fetch.Deadline - DateTime.UtcNow + AskMargin).ContinueWith(
                asked => _answers.Writer.TryWrite((correlation, asked.IsCompletedSuccessfully ? asked.Result : Unanswered)),
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task WriteLoopAsync(NetworkStream stream, CancellationTokenSource closing)
    {
        try
        {
            await foreach (var (correlation, result) in _answers.Reader.ReadAllAsync(closing.Token))
            {
                await stream.WriteAsync(ReplicaFetchFrames.EncodeResponseHead(correlation, result), closing.Token);
                if (!result.Records.IsEmpty)
                    await stream.WriteAsync(result.Records, closing.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            await closing.CancelAsync(); // the read loop ends too
        }
    }

    /// <summary>The leader entity did not answer in time (it is moving, or its node is overloaded): the follower retries.</summary>
    private static readonly ReplicaFetchResult Unanswered = new(ErrorCode.RequestTimedOut, ReadOnlyMemory<byte>.Empty, -1, -1, -1);
}
