using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using Akka.Actor;
using ActorBroker.Cluster.Partitions;

namespace ActorBroker.Cluster.Replication.Stream;

/// <summary>
/// One connection from this node to a leader node's <see cref="ReplicationListener"/>, connected on its first fetch.
/// Fetches of any number of partitions are open on it at once; answers are matched to them by correlation id and
/// their record batches read straight into the (pooled) array the follower appends. Once closed it stays closed.
/// </summary>
public sealed class LeaderLink(ActorSystem system, Address address)
{
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(5);

    /// <summary>No fetch answer is larger: a leader returns at most one batch beyond the fetch's max bytes.</summary>
    private const int MaxRecordsLength = 512 * 1024 * 1024;

    private readonly ConcurrentDictionary<int, TaskCompletionSource<LinkAnswer>> _pending = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private readonly object _connectLock = new();
    private Task<NetworkStream>? _connection;
    private int _nextCorrelation;
    private Exception? _closedBy;

    public Address Address => address;

    public bool IsClosed => Volatile.Read(ref _closedBy) is not null;

    public async Task<LinkAnswer> FetchAsync(ReplicaFetch fetch, TimeSpan timeout)
    {
        int correlation = Interlocked.Increment(ref _nextCorrelation);
        // Completed on the read loop, which then runs what awaits it inline: that is only the follower's PipeTo (a
        // Tell), so the answer reaches the follower without a thread-pool hop and the loop is not held up.
        var answer = new TaskCompletionSource<LinkAnswer>();
        _pending[correlation] = answer;
        try
        {
            if (Volatile.Read(ref _closedBy) is { } cause)
                throw Closed(cause);
            var stream = await Connection().WaitAsync(timeout);
            var frame = ReplicaFetchFrames.EncodeRequest(correlation, fetch, DateTime.UtcNow);
            await _writeLock.WaitAsync(_closing.Token);
            try
            {
                await stream.WriteAsync(frame, _closing.Token);
            }
            finally
            {
                _writeLock.Release();
            }
            return await answer.Task.WaitAsync(timeout);
        }
        catch (Exception e)
        {
            Close(e is TimeoutException ? new TimeoutException($"a fetch of {fetch.Partition} was not answered within {timeout.TotalSeconds:0.#} s") : e);
            throw;
        }
        finally
        {
            _pending.TryRemove(correlation, out _);
        }
    }

    private Task<NetworkStream> Connection()
    {
        lock (_connectLock)
            return _connection ??= ConnectAsync();
    }

    private async Task<NetworkStream> ConnectAsync()
    {
        var endpoint = await system.ActorSelection(new RootActorPath(address) / "user" / ReplicationEndpointActor.Name)
            .Ask<ReplicationEndpoint>(GetReplicationEndpoint.Instance, ResolveTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint.Host, endpoint.Port, _closing.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var stream = new NetworkStream(socket, ownsSocket: true);
        _ = ReadLoopAsync(stream);
        return stream;
    }

    private async Task ReadLoopAsync(NetworkStream stream)
    {
        try
        {
            var buffered = new BufferedStream(stream, 64 * 1024);
            var head = new byte[ReplicaFetchFrames.PrefixLength + ReplicaFetchFrames.ResponseHeaderLength];
            while (true)
            {
                await buffered.ReadExactlyAsync(head, _closing.Token);
                int recordsLength = BinaryPrimitives.ReadInt32BigEndian(head) - 4 - ReplicaFetchFrames.ResponseHeaderLength;
                if (recordsLength is < 0 or > MaxRecordsLength)
                    throw new InvalidDataException($"{address} sent a replica fetch answer with {recordsLength} bytes of records");
                int correlation = BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(4));
                var rented = recordsLength == 0 ? null : ArrayPool<byte>.Shared.Rent(recordsLength);
                var records = rented is null ? Memory<byte>.Empty : rented.AsMemory(0, recordsLength);
                await buffered.ReadExactlyAsync(records, _closing.Token);
                var answer = new LinkAnswer(ReplicaFetchFrames.DecodeResponse(head.AsSpan(ReplicaFetchFrames.PrefixLength), records), rented);
                if (!_pending.TryRemove(correlation, out var waiting) || !waiting.TrySetResult(answer))
                    answer.Dispose(); // its fetch timed out meanwhile
            }
        }
        catch (Exception e)
        {
            Close(e);
        }
    }

    /// <summary>Closes the connection and fails every fetch still open on it.</summary>
    public void Close(Exception cause)
    {
        if (Interlocked.CompareExchange(ref _closedBy, cause, null) is not null)
            return;
        _closing.Cancel();
        lock (_connectLock)
        {
            if (_connection is { IsCompletedSuccessfully: true })
                _connection.Result.Dispose();
            else
                _connection?.ContinueWith(t => t.Result.Dispose(), TaskContinuationOptions.OnlyOnRanToCompletion);
        }
        foreach (var correlation in _pending.Keys)
            if (_pending.TryRemove(correlation, out var answer))
                answer.TrySetException(Closed(cause));
    }

    private IOException Closed(Exception cause) =>
        new($"The replication link to {address} is closed: {cause.GetBaseException().Message}", cause);
}
