using System.Diagnostics;
using Akka.Actor;
using ActorBroker.Client.Admin;
using ActorBroker.Client.Consuming;
using ActorBroker.Client.Producing;
using ActorBroker.Cluster.Membership;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Records;

namespace ActorBroker.Client;

/// <summary>
/// A .NET client that talks to the brokers' actors directly: it joins the cluster as a member with the role
/// "client" (shard region and singleton proxies only, hosting nothing) and offers producers, consumers and admin
/// operations on top. When it loses every broker (a broker restart makes a new incarnation that does not know this
/// member) it rebuilds its actor system and joins again, retrying with a log line per attempt; calls made meanwhile
/// wait for the new membership within their timeout. Thread-safe.
/// </summary>
public sealed class ActorBrokerClient : IAsyncDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lazy<ActorBrokerProducer> _defaultProducer;
    private volatile Task<ClientConnection> _connection;
    private int _reconnections;

    private ActorBrokerClient(ActorBrokerClientOptions options, ClientConnection connection)
    {
        Options = options;
        _connection = Task.FromResult(connection);
        Topics = new TopicCache(this);
        Admin = new ActorBrokerAdmin(this);
        _defaultProducer = new Lazy<ActorBrokerProducer>(() => CreateProducer());
        Supervision = SuperviseAsync(connection);
    }

    public ActorBrokerClientOptions Options { get; }

    public ActorBrokerAdmin Admin { get; }

    /// <summary>How many times the client rebuilt its membership after losing every broker.</summary>
    public int Reconnections => Volatile.Read(ref _reconnections);

    /// <summary>The brokers this client currently sees as live (empty while it reconnects).</summary>
    public IReadOnlyList<BrokerIdentity> Brokers =>
        _connection is { IsCompletedSuccessfully: true } task ? task.Result.Brokers.Reachable.Select(m => m.Identity).ToList() : [];

    internal TopicCache Topics { get; }

    private Task Supervision { get; }

    /// <summary>
    /// Joins the cluster through <see cref="ActorBrokerClientOptions.SeedNodes"/>. Throws
    /// <see cref="ActorBrokerException"/> with BROKER_NOT_AVAILABLE when no broker admits the client within the
    /// connect timeout.
    /// </summary>
    public static async Task<ActorBrokerClient> ConnectAsync(ActorBrokerClientOptions options, CancellationToken cancellationToken = default)
    {
        var connection = await ClientConnection.StartAsync(options, cancellationToken).ConfigureAwait(false);
        return new ActorBrokerClient(options, connection);
    }

    /// <summary>A producer with its own batching; <paramref name="options"/> defaults to <c>actorbroker.client.producer</c>.</summary>
    public ActorBrokerProducer CreateProducer(ProducerOptions? options = null) => new(this, options ?? Options.Producer);

    /// <summary>A consumer; with a group id it may subscribe and commit. <paramref name="options"/> defaults to <c>actorbroker.client.consumer</c>.</summary>
    public ActorBrokerConsumer CreateConsumer(string? groupId = null, ConsumerOptions? options = null) =>
        new(this, (options ?? Options.Consumer) with { GroupId = groupId });

    /// <summary>Produces one record through the client's default producer (see <see cref="ActorBrokerProducer.ProduceAsync(string, ReadOnlyMemory{byte}?, ReadOnlyMemory{byte}?, IReadOnlyList{RecordHeader}?, long?, int?, CancellationToken)"/>).</summary>
    public Task<ProduceResult> ProduceAsync(
        string topic, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers = null,
        long? timestamp = null, int? partition = null, CancellationToken cancellationToken = default) =>
        _defaultProducer.Value.ProduceAsync(topic, key, value, headers, timestamp, partition, cancellationToken);

    /// <summary>Produces records in order through the client's default producer.</summary>
    public Task<IReadOnlyList<ProduceResult>> ProduceBatchAsync(string topic, IEnumerable<ProducerRecord> records, CancellationToken cancellationToken = default) =>
        _defaultProducer.Value.ProduceBatchAsync(topic, records, cancellationToken);

    /// <summary>Asks a broker actor through the current membership, within <paramref name="timeout"/> (default: the request timeout).</summary>
    internal async Task<T> AskAsync<T>(Func<ClientConnection, IActorRef> target, object message, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Options.RequestTimeout;
        var clock = Stopwatch.StartNew();
        var connection = await ConnectionAsync(limit, cancellationToken).ConfigureAwait(false);
        var remaining = limit - clock.Elapsed;
        if (remaining <= TimeSpan.Zero)
            throw TimedOut(message, limit, null);
        return await connection.AskAsync<T>(target(connection), message, remaining, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The answer to an ask already sent, with Akka's failures turned into <see cref="ActorBrokerException"/>s.</summary>
    internal static async Task<T> AnswerAsync<T>(Task<T> ask, object message, TimeSpan limit)
    {
        try
        {
            return await ask.ConfigureAwait(false);
        }
        catch (AskTimeoutException e)
        {
            throw TimedOut(message, limit, e);
        }
        catch (Exception e) when (e is not (ActorBrokerException or OperationCanceledException))
        {
            throw new ActorBrokerException(ErrorCode.UnknownServerError, $"{message.GetType().Name} failed at the broker: {e.Message}", e);
        }
    }

    /// <summary>Sends without waiting for an answer (acks=0).</summary>
    internal async Task TellAsync(Func<ClientConnection, IActorRef> target, object message, CancellationToken cancellationToken)
    {
        var connection = await ConnectionAsync(Options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        target(connection).Tell(message, ActorRefs.NoSender);
    }

    /// <summary>The current membership; while reconnecting, waits for the next one within <paramref name="timeout"/>.</summary>
    internal async Task<ClientConnection> ConnectionAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        var current = _connection;
        if (current.IsCompletedSuccessfully)
            return current.Result;
        try
        {
            return await current.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new ActorBrokerException(ErrorCode.BrokerNotAvailable,
                $"The client lost every broker and has not rejoined within {timeout.TotalSeconds:0.#} s; it keeps trying.", e);
        }
    }

    internal ClientConnection? CurrentConnection => _connection is { IsCompletedSuccessfully: true } task ? task.Result : null;

    private static ActorBrokerException TimedOut(object message, TimeSpan limit, Exception? inner) =>
        new(ErrorCode.RequestTimedOut, $"{message.GetType().Name} got no answer within {limit.TotalSeconds:0.#} s.", inner);

    private async Task SuperviseAsync(ClientConnection connection)
    {
        while (true)
        {
            string reason = await connection.Lost.WaitAsync(_disposed.Token).ConfigureAwait(false);
            var next = new TaskCompletionSource<ClientConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
            _connection = next.Task;
            Interlocked.Increment(ref _reconnections);
            Options.Log($"ActorBroker client: {reason}; rebuilding its actor system and joining {string.Join(", ", Options.SeedAddresses)} again.");
            await connection.StopAsync(Options.ConnectTimeout).ConfigureAwait(false);
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    connection = await ClientConnection.StartAsync(Options, _disposed.Token).ConfigureAwait(false);
                    Options.Log($"ActorBroker client: rejoined the cluster (attempt {attempt}).");
                    next.SetResult(connection);
                    break;
                }
                catch (ActorBrokerException e)
                {
                    Options.Log($"ActorBroker client: reconnection attempt {attempt} failed: {e.Message}");
                    await Task.Delay(Options.ReconnectBackoff, _disposed.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    next.TrySetCanceled();
                    throw;
                }
            }
        }
    }

    /// <summary>Flushes the default producer, leaves the cluster and stops the client's actor system.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
            return;
        if (_defaultProducer.IsValueCreated)
            await _defaultProducer.Value.DisposeAsync().ConfigureAwait(false);
        var connection = CurrentConnection;
        _disposed.Cancel();
        try
        {
            await Supervision.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // the reconnection loop stops here
        }
        if (connection is not null)
            await connection.StopAsync(Options.ConnectTimeout).ConfigureAwait(false);
        if (CurrentConnection is { } latest && latest != connection)
            await latest.StopAsync(Options.ConnectTimeout).ConfigureAwait(false);
        _disposed.Dispose();
    }
}
