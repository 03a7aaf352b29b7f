using System.Threading.Channels;
using Akka.Actor;
using ActorBroker.Cluster;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Records;

namespace ActorBroker.Client.Producing;

/// <summary>
/// Collects the records produced to one partition into RecordBatch v2 batches (Kafka's RecordAccumulator): a batch
/// is sealed when it reaches batch-max-bytes or when its first record has waited <c>linger</c>, and sealed batches
/// are sent in order, up to max-in-flight at once, as one <see cref="AppendBatches"/> each. Concurrent producers of
/// one partition therefore share round trips. Every record's task completes with its offset (base offset + its
/// index) or fails with the batch's error. Thread-safe.
/// </summary>
internal sealed class PartitionBatcher : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly ActorBrokerClient _client;
    private readonly TopicPartition _partition;
    private readonly ProducerOptions _options;
    private readonly Action _onSealed;
    private readonly Channel<List<Pending>> _sealed = Channel.CreateUnbounded<List<Pending>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _inFlight;
    private readonly HashSet<Task> _outstanding = [];
    private readonly Timer _linger;
    private readonly Task _sender;
    private List<Pending> _open = [];
    private int _openBytes;

    public PartitionBatcher(ActorBrokerClient client, TopicPartition partition, ProducerOptions options, Action onSealed)
    {
        _client = client;
        _partition = partition;
        _options = options;
        _onSealed = onSealed;
        _inFlight = new SemaphoreSlim(options.MaxInFlight);
        _linger = new Timer(_ => Seal(), null, Timeout.Infinite, Timeout.Infinite);
        _sender = Task.Run(SendSealedAsync);
    }

    private sealed record Pending(ProducerRecord Record, long Timestamp, TaskCompletionSource<ProduceResult> Result);

    public Task<ProduceResult> Add(ProducerRecord record, long timestamp)
    {
        var pending = new Pending(record, timestamp, new TaskCompletionSource<ProduceResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        int size = record.EstimatedSize;
        lock (_gate)
        {
            if (_open.Count > 0 && _openBytes + size > _options.BatchMaxBytes)
                SealLocked();
            _open.Add(pending);
            _openBytes += size;
            if (_openBytes >= _options.BatchMaxBytes)
                SealLocked();
            else if (_open.Count == 1)
                _linger.Change(_options.Linger, Timeout.InfiniteTimeSpan);
        }
        return pending.Result.Task;
    }

    /// <summary>Sends what is open now and waits for every batch sent so far.</summary>
    public Task FlushAsync()
    {
        Task[] outstanding;
        lock (_gate)
        {
            if (_open.Count > 0)
                SealLocked();
            outstanding = [.. _outstanding];
        }
        return Task.WhenAll(outstanding);
    }

    private void Seal()
    {
        lock (_gate)
        {
            if (_open.Count > 0)
                SealLocked();
        }
    }

    private void SealLocked()
    {
        var batch = _open;
        _open = [];
        _openBytes = 0;
        var done = Task.WhenAll(batch.Select(p => (Task)p.Result.Task)).ContinueWith(_ => { }, TaskScheduler.Default);
        _outstanding.Add(done);
        _ = done.ContinueWith(t => { lock (_gate) _outstanding.Remove(t); }, TaskScheduler.Default);
        _sealed.Writer.TryWrite(batch);
        _onSealed();
    }

    /// <summary>One loop per partition sends sealed batches in order; each send is a Tell issued before the next one.</summary>
    private async Task SendSealedAsync()
    {
        await foreach (var batch in _sealed.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            await _inFlight.WaitAsync().ConfigureAwait(false);
            try
            {
                var connection = await _client.ConnectionAsync(_client.Options.RequestTimeout, CancellationToken.None).ConfigureAwait(false);
                var append = new AppendBatches(_partition, Build(batch),
                    WaitForFsync: _options.Acks == Acks.All && _options.AcksAllWaitsForFsync,
                    AcksAll: _options.Acks == Acks.All);
                if (_options.Acks == Acks.None)
                {
                    connection.Partitions.Tell(append, ActorRefs.NoSender);
                    Complete(batch, new AppendBatchesResult(ErrorCode.None, -1, -1));
                    _inFlight.Release();
                    continue;
                }
                var ask = connection.AskAsync<AppendBatchesResult>(connection.Partitions, append, _client.Options.RequestTimeout, CancellationToken.None);
                _ = AwaitAppendAsync(ask, batch);
            }
            catch (ActorBrokerException e)
            {
                Fail(batch, e);
                _inFlight.Release();
            }
        }
    }

    private async Task AwaitAppendAsync(Task<AppendBatchesResult> ask, List<Pending> batch)
    {
        try
        {
            var result = await ask.ConfigureAwait(false);
            if (result.Error == ErrorCode.None)
            {
                Complete(batch, result);
                return;
            }
            if (result.Error == ErrorCode.UnknownTopicOrPartition)
                _client.Topics.Forget(_partition.Topic);
            Fail(batch, new ActorBrokerException(result.Error, $"Producing to {_partition} failed: {result.ErrorMessage ?? result.Error.ToString()}"));
        }
        catch (ActorBrokerException e)
        {
            Fail(batch, e);
        }
        finally
        {
            _inFlight.Release();
        }
    }

    private static byte[] Build(List<Pending> batch)
    {
        var builder = new RecordBatchBuilder();
        foreach (var pending in batch)
            builder.Add(pending.Record.Key, pending.Record.Value, pending.Record.Headers, pending.Timestamp);
        return builder.Build();
    }

    private void Complete(List<Pending> batch, AppendBatchesResult result)
    {
        for (int i = 0; i < batch.Count; i++)
        {
            long offset = result.BaseOffset < 0 ? -1 : result.BaseOffset + i;
            long timestamp = result.LogAppendTimeMs >= 0 ? result.LogAppendTimeMs : batch[i].Timestamp;
            batch[i].Result.TrySetResult(new ProduceResult(_partition.Topic, _partition.Partition, offset, timestamp));
        }
    }

    private static void Fail(List<Pending> batch, Exception error)
    {
        foreach (var pending in batch)
            pending.Result.TrySetException(error);
    }

    public async ValueTask DisposeAsync()
    {
        await _linger.DisposeAsync().ConfigureAwait(false);
        Seal();
        _sealed.Writer.TryComplete();
        await _sender.ConfigureAwait(false);
        await FlushAsync().ConfigureAwait(false);
    }
}
