using System.Runtime.CompilerServices;
using ActorBroker.Cluster;
using ActorBroker.Cluster.Groups;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Records;

namespace ActorBroker.Client.Consuming;

/// <summary>
/// Reads records straight from the partition actors. Partitions come from <see cref="Assign"/> or, with a group id,
/// from <see cref="Subscribe"/> (the group's coordinator and leader decide, as for Kafka consumers, so proxy and Kafka
/// consumers share a group). A partition starts at the group's committed offset, else per auto-offset-reset.
/// <see cref="ConsumeAsync"/> reads every assigned, unpaused partition and, when none has new records, long-polls
/// the partitions (<see cref="AwaitLogEnd"/>: the partition answers on its next append) instead of asking again.
/// <see cref="Seek"/>, <see cref="Pause"/>, <see cref="Resume"/> and assignment changes take effect at the next read,
/// interrupting a long poll. One enumeration at a time; the other members are thread-safe.
/// </summary>
public sealed class ActorBrokerConsumer : IAsyncDisposable
{
    private static readonly TimeSpan RetryBackoff = TimeSpan.FromMilliseconds(200);
    private readonly object _gate = new();
    private readonly ActorBrokerClient _client;
    private readonly ConsumerOptions _options;
    private readonly Dictionary<TopicPartition, long?> _positions = new();
    private readonly HashSet<TopicPartition> _paused = [];
    private GroupMembership? _membership;
    private CancellationTokenSource _wake = new();

    internal ActorBrokerConsumer(ActorBrokerClient client, ConsumerOptions options)
    {
        _client = client;
        _options = options;
    }

    /// <summary>The partitions this consumer reads now.</summary>
    public IReadOnlyList<TopicPartition> Assignment
    {
        get { lock (_gate) return _positions.Keys.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition).ToList(); }
    }

    /// <summary>Reads exactly <paramref name="partitions"/> (no group membership; commits still go to the group if one is set).</summary>
    public void Assign(IEnumerable<TopicPartition> partitions)
    {
        if (_membership is not null)
            throw new InvalidOperationException("This consumer subscribed; it cannot also assign partitions by hand.");
        SetAssignment(partitions.ToList());
    }

    /// <summary>Joins the consumer's group with a subscription to <paramref name="topics"/>; the group assigns partitions.</summary>
    public void Subscribe(IEnumerable<string> topics)
    {
        string groupId = _options.GroupId ?? throw new InvalidOperationException("Subscribe needs a group id (CreateConsumer(groupId)).");
        if (_membership is not null)
            throw new InvalidOperationException("This consumer already subscribed.");
        _membership = new GroupMembership(_client, groupId, topics.Distinct().ToList(), _options, SetAssignment, () => SetAssignment([]));
        _membership.Start();
    }

    /// <summary>The next offset this consumer reads from <paramref name="partition"/> (null until known).</summary>
    public long? Position(TopicPartition partition)
    {
        lock (_gate) return _positions.GetValueOrDefault(partition);
    }

    /// <summary>Reads <paramref name="partition"/> from <paramref name="offset"/> next.</summary>
    public void Seek(TopicPartition partition, long offset)
    {
        lock (_gate)
        {
            if (!_positions.ContainsKey(partition))
                throw new InvalidOperationException($"{partition} is not assigned to this consumer.");
            _positions[partition] = offset;
        }
        Wake();
    }

    public void Pause(params TopicPartition[] partitions)
    {
        lock (_gate) _paused.UnionWith(partitions);
        Wake();
    }

    public void Resume(params TopicPartition[] partitions)
    {
        lock (_gate) _paused.ExceptWith(partitions);
        Wake();
    }

    /// <summary>Records of the assigned, unpaused partitions, in offset order per partition, until cancelled.</summary>
    public async IAsyncEnumerable<ConsumeResult> ConsumeAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            CancellationToken wake;
            List<TopicPartition> fetchable;
            lock (_gate)
            {
                wake = _wake.Token;
                fetchable = _positions.Keys.Where(p => !_paused.Contains(p)).ToList();
            }
            var reads = await TryReadAllAsync(fetchable, cancellationToken).ConfigureAwait(false);
            bool any = false;
            foreach (var (partition, from, read) in reads)
            {
                if (read is null)
                    continue;
                foreach (var record in Records(partition, from, read))
                {
                    if (!Advance(partition, record.Offset))
                        break; // sought or revoked meanwhile
                    any = true;
                    yield return record;
                }
            }
            if (!any)
                await AwaitNewRecordsAsync(fetchable, wake, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Commits the current positions of the assigned partitions to the group.</summary>
    public Task CommitAsync(CancellationToken cancellationToken = default)
    {
        List<(TopicPartition, long)> offsets;
        lock (_gate)
            offsets = _positions.Where(p => p.Value is not null).Select(p => (p.Key, p.Value!.Value)).ToList();
        return CommitAsync(offsets, cancellationToken);
    }

    /// <summary>Commits <paramref name="offsets"/> (the next offset to read, as in Kafka) to the group.</summary>
    public async Task CommitAsync(IEnumerable<(TopicPartition Partition, long Offset)> offsets, CancellationToken cancellationToken = default)
    {
        string groupId = _options.GroupId ?? throw new InvalidOperationException("CommitAsync needs a group id (CreateConsumer(groupId)).");
        var commit = new CommitOffsets(groupId, _membership?.MemberId ?? "", null, _membership?.GenerationId ?? -1,
            offsets.Select(o => new OffsetToCommit(o.Partition, o.Offset, -1, null)).ToList());
        if (commit.Offsets.Count == 0)
            return;
        var result = await _client.AskAsync<CommitOffsetsResult>(c => c.Groups, commit, cancellationToken).ConfigureAwait(false);
        ActorBrokerException.ThrowIfError(result.Error, null, $"Committing offsets of group '{groupId}'");
        foreach (var (partition, error) in result.Partitions)
            ActorBrokerException.ThrowIfError(error, null, $"Committing the offset of {partition} in group '{groupId}'");
    }

    /// <summary>The group's committed offsets of <paramref name="partitions"/> (null where none).</summary>
    public async Task<IReadOnlyDictionary<TopicPartition, long?>> CommittedAsync(IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken = default)
    {
        string groupId = _options.GroupId ?? throw new InvalidOperationException("Committed offsets need a group id.");
        var result = await _client.AskAsync<FetchOffsetsResult>(c => c.Groups, new FetchOffsets(groupId, partitions), cancellationToken).ConfigureAwait(false);
        ActorBrokerException.ThrowIfError(result.Error, null, $"Fetching the committed offsets of group '{groupId}'");
        return result.Offsets.ToDictionary(o => o.Partition, o => o.Offset?.Offset);
    }

    private void SetAssignment(IReadOnlyList<TopicPartition> partitions)
    {
        lock (_gate)
        {
            foreach (var gone in _positions.Keys.Except(partitions).ToList())
                _positions.Remove(gone);
            foreach (var partition in partitions)
                _positions.TryAdd(partition, null);
            _paused.IntersectWith(partitions);
        }
        Wake();
    }

    private void Wake()
    {
        CancellationTokenSource woken;
        lock (_gate)
        {
            woken = _wake;
            _wake = new CancellationTokenSource();
        }
        woken.Cancel();
        woken.Dispose();
    }

    /// <summary>
    /// One read of every fetchable partition. A retriable failure (a broker restarting, a timeout) is logged and
    /// yields no records, after a short pause, so consuming goes on once the brokers answer again.
    /// </summary>
    private async Task<(TopicPartition Partition, long From, ReadBatchesResult? Read)[]> TryReadAllAsync(List<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        try
        {
            await ResolvePositionsAsync(partitions, cancellationToken).ConfigureAwait(false);
            return await Task.WhenAll(partitions.Select(p => ReadAsync(p, cancellationToken))).ConfigureAwait(false);
        }
        catch (ActorBrokerException e) when (e.IsRetriable)
        {
            _client.Options.Log($"ActorBroker consumer: {e.Message}; reading again.");
            await Task.Delay(RetryBackoff, cancellationToken).ConfigureAwait(false);
            return [];
        }
    }

    /// <summary>Partitions without a position start at the group's committed offset, else per auto-offset-reset.</summary>
    private async Task ResolvePositionsAsync(List<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        List<TopicPartition> unknown;
        lock (_gate)
            unknown = partitions.Where(p => _positions.TryGetValue(p, out var position) && position is null).ToList();
        if (unknown.Count == 0)
            return;
        var committed = _options.GroupId is null ? new Dictionary<TopicPartition, long?>() : await CommittedAsync(unknown, cancellationToken).ConfigureAwait(false);
        foreach (var partition in unknown)
        {
            long offset = committed.GetValueOrDefault(partition) ?? await ResetOffsetAsync(partition, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                if (_positions.TryGetValue(partition, out var position) && position is null)
                    _positions[partition] = offset;
            }
        }
    }

    private async Task<long> ResetOffsetAsync(TopicPartition partition, CancellationToken cancellationToken)
    {
        var state = await _client.AskAsync<PartitionStateResult>(c => c.Partitions, new GetPartitionState(partition), cancellationToken).ConfigureAwait(false);
        ActorBrokerException.ThrowIfError(state.Error, null, $"Looking up the offsets of {partition}");
        return _options.AutoOffsetReset == AutoOffsetReset.Earliest ? state.LogStartOffset : state.HighWatermark;
    }

    private async Task<(TopicPartition Partition, long From, ReadBatchesResult? Read)> ReadAsync(TopicPartition partition, CancellationToken cancellationToken)
    {
        long? from;
        lock (_gate)
            from = _positions.GetValueOrDefault(partition);
        if (from is not { } offset)
            return (partition, -1, null);
        var read = await _client.AskAsync<ReadBatchesResult>(c => c.Partitions,
            new ReadBatches(partition, offset, _options.FetchMaxBytes, MinOneBatch: true), cancellationToken).ConfigureAwait(false);
        if (read.Error == ErrorCode.OffsetOutOfRange)
        {
            long reset = await ResetOffsetAsync(partition, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                if (_positions.GetValueOrDefault(partition) == offset)
                    _positions[partition] = reset;
            }
            return (partition, offset, null);
        }
        ActorBrokerException.ThrowIfError(read.Error, null, $"Reading {partition}");
        return (partition, offset, read);
    }

    /// <summary>The records at or after <paramref name="from"/> in the batches read (control batches skipped).</summary>
    private static IEnumerable<ConsumeResult> Records(TopicPartition partition, long from, ReadBatchesResult read)
    {
        var remaining = read.Records;
        while (remaining.Length >= RecordBatch.HeaderSize)
        {
            var batch = new RecordBatch(remaining);
            int size = batch.SizeInBytes;
            if (size > remaining.Length)
                yield break; // a partial batch at the end of the read
            if (!batch.IsControl && batch.NextOffset > from)
            {
                foreach (var record in batch.EnumerateRecords())
                {
                    if (record.Offset >= from)
                        yield return new ConsumeResult(partition.Topic, partition.Partition, record.Offset, record.Timestamp,
                            batch.TimestampType, record.Key, record.Value, record.Headers);
                }
            }
            remaining = remaining[size..];
        }
    }

    /// <summary>Moves the position past <paramref name="offset"/> unless the partition was sought or revoked since the read.</summary>
    private bool Advance(TopicPartition partition, long offset)
    {
        lock (_gate)
        {
            if (_positions.GetValueOrDefault(partition) is not { } position || position > offset)
                return false;
            _positions[partition] = offset + 1;
            return true;
        }
    }

    /// <summary>Waits until any of <paramref name="partitions"/> grows past this consumer's position, the fetch wait passes, or the consumer is woken.</summary>
    private async Task AwaitNewRecordsAsync(List<TopicPartition> partitions, CancellationToken wake, CancellationToken cancellationToken)
    {
        using var any = CancellationTokenSource.CreateLinkedTokenSource(wake, cancellationToken);
        var deadline = DateTime.UtcNow + _options.FetchMaxWait;
        var waits = new List<Task> { Task.Delay(_options.FetchMaxWait, any.Token) };
        foreach (var partition in partitions)
        {
            if (Position(partition) is { } position)
                waits.Add(_client.AskAsync<LogAdvanced>(c => c.Partitions, new AwaitLogEnd(partition, position, deadline), any.Token,
                    _options.FetchMaxWait + _client.Options.RequestTimeout));
        }
        var first = await Task.WhenAny(waits).ConfigureAwait(false);
        await any.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (first.IsFaulted && first.Exception?.GetBaseException() is ActorBrokerException { IsRetriable: false } error)
            throw error;
        foreach (var wait in waits)
            _ = wait.ContinueWith(t => t.Exception, TaskScheduler.Default); // observed: the losers are cancelled
    }

    /// <summary>Leaves the group (the others rebalance at once) and stops reading.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_membership is not null)
            await _membership.LeaveAsync().ConfigureAwait(false);
        lock (_gate)
        {
            _positions.Clear();
            _wake.Cancel();
            _wake.Dispose();
        }
    }
}
