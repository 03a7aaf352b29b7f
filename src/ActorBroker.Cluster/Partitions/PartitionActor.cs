using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using System.Collections.Immutable;
using ActorBroker.Cluster.Replication;
using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Primitives;
using ActorBroker.Storage;
using ActorBroker.Storage.Cleaning;

namespace ActorBroker.Cluster.Partitions;

/// <summary>
/// One partition: a sharded, persistent entity (persistence id <c>partition-&lt;topic&gt;-&lt;n&gt;</c>) that owns
/// the partition's segment log under <c>&lt;data-dir&gt;/logs/&lt;topic&gt;-&lt;n&gt;/</c>. The journal holds only
/// metadata (<see cref="LogCreated"/>, <see cref="LeaderEpochStarted"/>); records stay in the segment files.
///
/// Lifecycle: recover the journal, ask the topic registry (the controller) whether the topic (still) exists and this
/// node leads the partition, open the log (which validates its unflushed tail), start the leader epoch the controller
/// gave, then serve. Appends run inside the actor (one writer);
/// reads run on the thread pool against the log's thread-safe read path, so a slow fetch never holds up appends.
///
/// Compaction (cleanup.policy with compact): every <c>actorbroker.log.cleaner.backoff</c> the actor asks the log
/// whether a clean is due (a cheap look at the segment list); if so it runs <see cref="PartitionLog.PrepareClean"/> —
/// the reading and rewriting — on the thread pool and pipes the prepared clean back. Appends and reads go on
/// meanwhile. The swap that publishes the cleaned segments (<see cref="PartitionLog.CompleteClean"/>: renames and index
/// loads, no data copy) runs here, on the log's single writer, so it never races retention or truncation deleting
/// files. At most one clean per partition is in flight. Produce to a compacted topic rejects a request holding a
/// keyless record with INVALID_RECORD and appends nothing of it.
/// </summary>
public sealed partial class PartitionActor : ReceivePersistentActor, IWithTimers, IWithUnboundedStash
{
    private const string FlushTimer = "flush";
    private const string RetentionTimer = "retention";
    private const string CleanerTimer = "cleaner";
    private const string WaiterSweepTimer = "sweep-waiters";
    private const string OpenTimer = "open";
    private static readonly TimeSpan WaiterSweepInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RegistryTimeout = TimeSpan.FromSeconds(10);

    private readonly TopicPartition _partition;
    private readonly ActorBrokerSettings _settings;
    private readonly IActorRef _registry;
    private readonly LocalReplicas _localReplicas;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<(IActorRef ReplyTo, AwaitLogEnd Request)> _waiters = new();

    private PartitionMetadata _metadata = PartitionMetadata.Initial;
    private PartitionLog? _partitionLog;
    private bool _dirty;
    private long _unflushedMessages; // appended since the last fsync; flush.messages of them trigger one (group commit)
    private bool _backgroundFlushing;
    private long _flushMessages = long.MaxValue;
    private TimeSpan _flushInterval;
    private int _maxMessageBytes;
    private long _retentionMs;
    private long _retentionBytes;
    private bool _compacts;
    private bool _deletes = true;
    private CleanerConfig _cleanerConfig = CleanerConfig.Default;
    private bool _cleaning;

    public PartitionActor(TopicPartition partition, ActorBrokerSettings settings, IActorRef registry, LocalReplicas localReplicas)
    {
        _partition = partition;
        _settings = settings;
        _registry = registry;
        _localReplicas = localReplicas;

        Recover<LogCreated>(e => _metadata = _metadata.Apply(e));
        Recover<LeaderEpochStarted>(e => _metadata = _metadata.Apply(e));
        Recover<SegmentsDeleted>(_ => { });
        Recover<LogStartOffsetAdvanced>(_ => { });
        Recover<RecoveryCompleted>(_ => LookUpTopic());
        CommandAny(_ => Stash.Stash());
    }

    public override string PersistenceId => "partition-" + _partition.EntityId;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(TopicPartition partition, ActorBrokerSettings settings, IActorRef registry, LocalReplicas localReplicas) =>
        Akka.Actor.Props.Create(() => new PartitionActor(partition, settings, registry, localReplicas));

    private PartitionLog OpenLog => _partitionLog ?? throw new InvalidOperationException("The partition log is not open.");

    /// <summary>Asks the controller (the topic registry) to confirm that this node leads the partition and for the
    /// epoch to lead in; a stale request for a deleted topic or a node that no longer leads gets an error instead.</summary>
    private void LookUpTopic()
    {
        _registry.Ask<LeadershipResult>(new BecomeLeader(_partition, _settings.NodeId, _metadata.LeaderEpoch + 1), RegistryTimeout)
            .PipeTo(Self, failure: ex => new Status.Failure(ex));
        Become(AwaitingTopic);
    }

    private void AwaitingTopic()
    {
        Command<LeadershipResult>(result =>
        {
            if (result.Error != ErrorCode.None || result.Topic is null)
            {
                BecomeUnavailable(result.Error, result.ErrorMessage ?? $"Topic partition {_partition} is not available here.");
                return;
            }
            OpenWhenReleased(new OpenAsLeader(result.Topic, result.LeaderEpoch));
        });
        Command<OpenAsLeader>(OpenWhenReleased);
        Command<Status.Failure>(failure =>
            BecomeUnavailable(ErrorCode.LeaderNotAvailable, $"The topic registry did not answer: {failure.Cause.Message}"));
        CommandAny(_ => Stash.Stash());
    }

    /// <summary>Opens the log once this node's follower of the partition (if any) has closed it.</summary>
    private void OpenWhenReleased(OpenAsLeader open)
    {
        if (_localReplicas.TryAcquire(_partition, Self))
        {
            Open(open.Topic, open.LeaderEpoch);
            _localReplicas.MarkLedHere(_partition);
            return;
        }
        _localReplicas.Manager.Tell(new StopFollowing(_partition, open.LeaderEpoch));
        Timers.StartSingleTimer(OpenTimer, open, TimeSpan.FromMilliseconds(100));
    }

    private void Open(TopicDescription topic, int leaderEpoch)
    {
        var effective = TopicConfigs.Effective(topic, _settings);
        UseConfigs(effective);
        var directory = Path.Combine(_settings.LogsDirectory, _partition.EntityId);
        bool earlierTopic = _metadata.Created && _metadata.TopicId != topic.TopicId;
        if (earlierTopic && Directory.Exists(directory))
        {
            // The topic was deleted and re-created while this partition was not running: the old log goes.
            _log.Warning("Partition {0} held the log of an earlier topic of the same name ({1}); deleting it",
                _partition, _metadata.TopicId);
            Directory.Delete(directory, recursive: true);
        }
        _partitionLog = PartitionLog.Open(directory, TopicLogConfig.For(effective, _settings));
        var events = new List<object>();
        if (!_metadata.Created || earlierTopic)
            events.Add(new LogCreated(_partition, topic.TopicId, DateTime.UtcNow));
        events.Add(new LeaderEpochStarted(leaderEpoch, _partitionLog.LogEndOffset));
        PersistAll(events, e => _metadata = _metadata.Apply(e));
        StartReplication(topic.Assignments[_partition.Partition] with { LeaderEpoch = leaderEpoch });
        DeferAsync("opened", _ =>
        {
            _log.Info("Partition {0} open: log start {1}, log end {2}, leader epoch {3}",
                _partition, OpenLog.LogStartOffset, OpenLog.LogEndOffset, _metadata.LeaderEpoch);
            Timers.StartPeriodicTimer(FlushTimer, FlushTick.Instance, _flushInterval);
            Timers.StartPeriodicTimer(RetentionTimer, RetentionTick.Instance, _settings.RetentionCheckInterval);
            Timers.StartPeriodicTimer(IsrTimer, IsrTick.Instance, IsrCheckInterval);
            ScheduleCleaner();
            Become(Serving);
            Stash.UnstashAll();
        });
    }

    /// <summary>Sets the run-time limits from the topic's effective configs (when opening and when they change).</summary>
    private void UseConfigs(IReadOnlyDictionary<string, string> effective)
    {
        _maxMessageBytes = int.Parse(effective[TopicConfigs.MaxMessageBytes]);
        _retentionMs = long.Parse(effective[TopicConfigs.RetentionMs]);
        _retentionBytes = long.Parse(effective[TopicConfigs.RetentionBytes]);
        _flushMessages = long.Parse(effective[TopicConfigs.FlushMessages]);
        _minInsyncReplicas = int.Parse(effective[TopicConfigs.MinInsyncReplicas]);
        var flushInterval = TimeSpan.FromMilliseconds(long.Parse(effective[TopicConfigs.FlushMs]));
        if (flushInterval != _flushInterval && Timers.IsTimerActive(FlushTimer))
            Timers.StartPeriodicTimer(FlushTimer, FlushTick.Instance, flushInterval);
        _flushInterval = flushInterval;
        string policy = effective[TopicConfigs.CleanupPolicy];
        _compacts = TopicConfigs.Compacts(policy);
        _deletes = TopicConfigs.Deletes(policy);
        _cleanerConfig = TopicConfigs.CleanerConfigOf(effective);
    }

    /// <summary>Runs the cleaner timer while the topic compacts and the cleaner is enabled (after open and on config changes).</summary>
    private void ScheduleCleaner()
    {
        if (_compacts && _settings.Cleaner.Enable)
        {
            if (!Timers.IsTimerActive(CleanerTimer))
                Timers.StartPeriodicTimer(CleanerTimer, CleanerTick.Instance, _settings.Cleaner.Backoff);
        }
        else
        {
            Timers.Cancel(CleanerTimer);
        }
    }

    /// <summary>
    /// New topic overrides from the registry. max.message.bytes, retention.*, flush.messages, flush.ms, cleanup.policy
    /// and the compaction configs apply at once; the segment settings and message.timestamp.type apply when the log is next opened, as the open log's
    /// <see cref="LogConfig"/> is fixed.
    /// </summary>
    private void ChangeConfigs(TopicConfigChanged command)
    {
        if (command.TopicId != _metadata.TopicId)
            return; // about an earlier topic of the same name
        var effective = TopicConfigs.Defaults(_settings).SetItems(command.Configs);
        UseConfigs(effective);
        ScheduleCleaner();
        _log.Info($"Partition {_partition} now uses max.message.bytes {_maxMessageBytes}, retention.ms {_retentionMs}, " +
            $"retention.bytes {_retentionBytes}, flush.messages {_flushMessages}, flush.ms {(long)_flushInterval.TotalMilliseconds}, " +
            $"cleanup.policy {effective[TopicConfigs.CleanupPolicy]}, {_cleanerConfig}");
    }

    private void Serving()
    {
        Command<AppendBatches>(Append);
        Command<ReadBatches>(Read);
        Command<AwaitLogEnd>(AwaitLogEnd);
        Command<GetPartitionState>(_ => Sender.Tell(new PartitionStateResult(
            ErrorCode.None, OpenLog.LogStartOffset, HighWatermark, OpenLog.LogEndOffset, _metadata.LeaderEpoch)));
        Command<ReplicaFetch>(ReplicaFetch);
        Command<GetEpochEnd>(GetEpochEnd);
        Command<AssignmentChanged>(OnAssignmentChanged);
        Command<AlterIsrAnswer>(OnAlterIsrAnswer);
        Command<IsrTick>(_ => CheckIsr());
        Command<FindOffsetForTimestamp>(FindOffsetForTimestamp);
        Command<DeletePartition>(Delete);
        Command<TopicConfigChanged>(ChangeConfigs);
        Command<FlushTick>(_ => FlushInBackground());
        Command<BackgroundFlushDone>(done =>
        {
            _backgroundFlushing = false;
            if (done.Failure is { } failure)
                _log.Warning("Timed flush of {0} failed (the next one retries): {1}", _partition, failure.GetBaseException().Message);
        });
        Command<RetentionTick>(_ => ApplyRetention());
        Command<CleanerTick>(_ => StartClean());
        Command<CleanPrepared>(CompleteClean);
        Command<CleanFailed>(failed =>
        {
            _cleaning = false;
            _log.Warning("Cleaning {0} failed (it will be retried): {1}", _partition, failed.Cause.Message);
        });
        Command<DeleteRecordsBefore>(DeleteRecords);
        Command<SweepWaitersTick>(_ => SweepWaiters(DateTime.UtcNow));
    }

    private void Append(AppendBatches command)
    {
        if (FindOversizedBatch(command.Batches.Span, _maxMessageBytes) is { } size)
        {
            Sender.Tell(new AppendBatchesResult(ErrorCode.MessageTooLarge, -1, OpenLog.LogStartOffset,
                $"A record batch of {size} bytes is larger than max.message.bytes ({_maxMessageBytes})."));
            return;
        }
        if (command.AcksAll && _replication.Isr.Length < _minInsyncReplicas)
        {
            Sender.Tell(new AppendBatchesResult(ErrorCode.NotEnoughReplicas, -1, OpenLog.LogStartOffset,
                $"{_partition} has {_replication.Isr.Length} in-sync replica(s) [{string.Join(",", _replication.Isr)}], fewer than min.insync.replicas ({_minInsyncReplicas})."));
            return;
        }
        if (_compacts && RejectKeyless(command))
            return;
        try
        {
            var result = OpenLog.Append(command.Batches, _metadata.LeaderEpoch);
            _dirty = true;
            _unflushedMessages += result.LastOffset - result.FirstOffset + 1;
            if (_unflushedMessages >= _flushMessages || command.WaitForFsync)
                Flush(); // one fsync covers every append since the last one, before this one is acknowledged
            var reply = new AppendBatchesResult(ErrorCode.None, result.FirstOffset, OpenLog.LogStartOffset, LogAppendTimeMs: result.LogAppendTime);
            if (command.AcksAll)
                AwaitReplication(Sender, result.LastOffset + 1, reply);
            else
                Sender.Tell(reply);
            OnLogAppended();
        }
        catch (InvalidRecordBatchException ex)
        {
            _log.Warning("Rejected a produce to {0}: {1}", _partition, ex.Message);
            Sender.Tell(new AppendBatchesResult(ErrorCode.CorruptMessage, -1, OpenLog.LogStartOffset, ex.Message));
        }
    }

    /// <summary>Kafka's rule for compacted topics: a request holding a record without a key is refused whole (INVALID_RECORD).</summary>
    private bool RejectKeyless(AppendBatches command)
    {
        string? keyless;
        try
        {
            keyless = KeylessRecords.Find(command.Batches);
        }
        catch (KafkaProtocolException ex)
        {
            Sender.Tell(new AppendBatchesResult(ErrorCode.CorruptMessage, -1, OpenLog.LogStartOffset, ex.Message));
            return true;
        }
        if (keyless is null)
            return false;
        string message = $"Compacted topic '{_partition.Topic}' cannot accept a record without a key ({keyless}); nothing of this request was appended to partition {_partition.Partition}.";
        _log.Warning("Rejected a produce to {0}: {1}", _partition, message);
        Sender.Tell(new AppendBatchesResult(ErrorCode.InvalidRecord, -1, OpenLog.LogStartOffset, message));
        return true;
    }

    /// <summary>Returns the size of the first batch larger than the limit, reading only batch lengths.</summary>
    private static int? FindOversizedBatch(ReadOnlySpan<byte> batches, int limit)
    {
        while (batches.Length >= Protocol.Records.RecordBatch.LogOverhead)
        {
            long size = (long)System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(batches[8..]) + Protocol.Records.RecordBatch.LogOverhead;
            if (size > limit)
                return (int)Math.Min(size, int.MaxValue);
            if (size <= Protocol.Records.RecordBatch.LogOverhead || size > batches.Length)
                return null; // malformed: the log's own validation reports it
            batches = batches[(int)size..];
        }
        return null;
    }

    private void Read(ReadBatches command)
    {
        var log = OpenLog;
        long highWatermark = HighWatermark;
        if (command.Offset < log.LogStartOffset || command.Offset > log.LogEndOffset)
        {
            Sender.Tell(new ReadBatchesResult(ErrorCode.OffsetOutOfRange, ReadOnlyMemory<byte>.Empty, highWatermark, log.LogStartOffset));
            return;
        }
        Task.Run(() =>
        {
            try
            {
                var read = log.Read(command.Offset, command.MaxBytes, command.MinOneBatch, maxOffset: highWatermark);
                return new ReadBatchesResult(ErrorCode.None, read.Records, highWatermark, read.LogStartOffset);
            }
            catch (OffsetOutOfRangeException ex)
            {
                return new ReadBatchesResult(ErrorCode.OffsetOutOfRange, ReadOnlyMemory<byte>.Empty, highWatermark, ex.LogStartOffset);
            }
            catch (ObjectDisposedException)
            {
                return new ReadBatchesResult(ErrorCode.NotLeaderOrFollower, ReadOnlyMemory<byte>.Empty, -1, -1);
            }
        }).PipeTo(Sender);
    }

    private void AwaitLogEnd(AwaitLogEnd command)
    {
        if (HighWatermark > command.Offset || command.Deadline <= DateTime.UtcNow)
        {
            Sender.Tell(new LogAdvanced(_partition, HighWatermark));
            return;
        }
        _waiters.Add((Sender, command));
        EnsureSweeping();
    }

    private void NotifyWaiters()
    {
        if (_waiters.Count == 0)
            return;
        long end = HighWatermark;
        _waiters.RemoveAll(w =>
        {
            if (w.Request.Offset >= end)
                return false;
            w.ReplyTo.Tell(new LogAdvanced(_partition, end));
            return true;
        });
        StopSweepingIfIdle();
    }

    private void SweepWaiters(DateTime now)
    {
        SweepReplicationWaiters(now);
        long end = HighWatermark;
        _waiters.RemoveAll(w =>
        {
            if (w.Request.Deadline > now)
                return false;
            w.ReplyTo.Tell(new LogAdvanced(_partition, end));
            return true;
        });
        StopSweepingIfIdle();
    }

    private void StopSweepingIfIdle()
    {
        if (_waiters.Count == 0 && !HasReplicationWaiters)
            Timers.Cancel(WaiterSweepTimer);
    }

    private void FindOffsetForTimestamp(FindOffsetForTimestamp command)
    {
        var log = OpenLog;
        int epoch = _metadata.LeaderEpoch;
        Task.Run(() =>
        {
            return log.FindOffsetForTimestamp(command.Timestamp) is { } found
                ? new FindOffsetForTimestampResult(ErrorCode.None, found.Offset, found.Timestamp, epoch)
                : new FindOffsetForTimestampResult(ErrorCode.None, -1, -1, epoch);
        }).PipeTo(Sender);
    }

    /// <summary>Retention by time and size when cleanup.policy includes delete; otherwise only segments wholly below the log start go.</summary>
    private void ApplyRetention()
    {
        var result = _deletes
            ? OpenLog.ApplyRetention(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), _retentionMs, _retentionBytes)
            : OpenLog.ApplyRetention(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), -1, -1);
        if (result.SegmentsDeleted == 0)
            return;
        _log.Info("Retention deleted {0} segment(s) ({1} bytes) of {2}; log start offset is now {3}",
            result.SegmentsDeleted, result.BytesDeleted, _partition, result.LogStartOffset);
        Persist(new SegmentsDeleted(result.LogStartOffset, result.SegmentsDeleted, result.BytesDeleted, DateTime.UtcNow), _ => { });
    }

    private void DeleteRecords(DeleteRecordsBefore command)
    {
        var log = OpenLog;
        long target = command.Offset == -1 ? HighWatermark : command.Offset;
        if (target < 0 || target > HighWatermark)
        {
            Sender.Tell(new DeleteRecordsResult(ErrorCode.OffsetOutOfRange, log.LogStartOffset));
            return;
        }
        long before = log.LogStartOffset;
        long start = log.AdvanceLogStartOffset(target);
        if (start == before)
        {
            Sender.Tell(new DeleteRecordsResult(ErrorCode.None, start));
            return;
        }
        _log.Info("Log start offset of {0} moved from {1} to {2} (DeleteRecords)", _partition, before, start);
        var replyTo = Sender;
        Persist(new LogStartOffsetAdvanced(start, DateTime.UtcNow), _ => replyTo.Tell(new DeleteRecordsResult(ErrorCode.None, start)));
    }

    /// <summary>If a clean is due and none is running, prepares one on the thread pool; the result comes back as <see cref="CleanPrepared"/>.</summary>
    private void StartClean()
    {
        if (_cleaning || !_compacts)
            return;
        var log = OpenLog;
        var config = _cleanerConfig;
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var plan = log.PlanClean(config, now);
        if (!plan.Due)
            return;
        _cleaning = true;
        Task.Run(() => log.PrepareClean(plan, config, now))
            .PipeTo(Self, success: prepared => new CleanPrepared(log, prepared), failure: ex => new CleanFailed(ex));
    }

    /// <summary>Publishes a prepared clean on the writer (this actor), or drops it if the log it was made for is closed.</summary>
    private void CompleteClean(CleanPrepared message)
    {
        _cleaning = false;
        if (!ReferenceEquals(message.Log, _partitionLog))
        {
            message.Log.AbortClean(message.Prepared);
            return;
        }
        var result = OpenLog.CompleteClean(message.Prepared);
        var stats = result.Statistics;
        _log.Info($"Cleaned {_partition} ({result.Reason}): {stats.SegmentsRewritten} of {stats.SegmentsScanned} segment(s) rewritten, " +
            $"{stats.BytesBefore} -> {stats.BytesAfter} bytes, {stats.RecordsRemoved} record(s) removed ({stats.TombstonesRemoved} tombstones), " +
            $"{stats.DistinctKeys} keys; first dirty offset {result.FirstDirtyOffset}{(result.Completed ? "" : " (abandoned)")}");
    }

    /// <summary>
    /// The timed flush (flush.ms): fsyncs and checkpoints (the high watermark too, on the timer only) off this actor's
    /// thread, so appends are not held up for its fsyncs; one at a time.
    /// </summary>
    private void FlushInBackground()
    {
        if (_backgroundFlushing)
            return;
        _backgroundFlushing = true;
        _dirty = false;
        _unflushedMessages = 0;
        OpenLog.PageCacheKeepBytes = _localReplicas.PageCacheShare;
        OpenLog.FlushInBackground(HighWatermark, _localReplicas.TimedFlushes)
            .PipeTo(Self, success: () => new BackgroundFlushDone(null), failure: ex => new BackgroundFlushDone(ex));
    }

    private sealed record BackgroundFlushDone(Exception? Failure);

    private void Flush()
    {
        if (!_dirty)
            return;
        OpenLog.PageCacheKeepBytes = _localReplicas.PageCacheShare; // a durable topic may flush only here
        OpenLog.Flush();
        _dirty = false;
        _unflushedMessages = 0;
    }

    private void Delete(DeletePartition command)
    {
        if (command.TopicId != _metadata.TopicId)
            return; // a late message about an earlier topic of the same name
        var directory = OpenLog.Directory;
        _partitionLog!.Dispose();
        _partitionLog = null;
        Directory.Delete(directory, recursive: true);
        _log.Info("Deleted partition {0} and its log {1}", _partition, directory);
        DeleteMessages(long.MaxValue);
        Become(() =>
        {
            Command<DeleteMessagesSuccess>(_ => Passivate());
            Command<DeleteMessagesFailure>(f =>
            {
                _log.Error(f.Cause, "Could not delete the journal of partition {0}", _partition);
                Passivate();
            });
            CommandAny(_ => Sender.Tell(new Status.Failure(new InvalidOperationException($"Partition {_partition} is being deleted."))));
        });
    }

    private void BecomeUnavailable(ErrorCode error, string reason)
    {
        _log.Info("Partition {0} unavailable: {1}", _partition, reason);
        Become(() => CommandAny(message => ReplyUnavailable(message, error, reason)));
        Stash.UnstashAll();
        Passivate();
    }

    private void ReplyUnavailable(object message, ErrorCode error, string reason)
    {
        object? reply = message switch
        {
            AppendBatches => new AppendBatchesResult(error, -1, -1, reason),
            ReadBatches => new ReadBatchesResult(error, ReadOnlyMemory<byte>.Empty, -1, -1),
            GetPartitionState => new PartitionStateResult(error, -1, -1, -1, -1),
            Partitions.FindOffsetForTimestamp => new FindOffsetForTimestampResult(error, -1, -1, -1),
            Partitions.AwaitLogEnd => new LogAdvanced(_partition, -1),
            Partitions.DeleteRecordsBefore => new DeleteRecordsResult(error, -1),
            _ => null,
        };
        if (reply is not null)
            Sender.Tell(reply);
    }

    private void Passivate() => Context.Parent.Tell(new Passivate(PoisonPill.Instance));

    protected override void PostStop()
    {
        if (_partitionLog is not null)
        {
            if (_replication is not null)
                _partitionLog.CheckpointHighWatermark(HighWatermark);
            _partitionLog.Dispose();
            _log.Info("Partition {0} closed at log end {1}", _partition, _partitionLog.LogEndOffset);
        }
        _localReplicas.Release(_partition, Self);
        base.PostStop();
    }

    private sealed record OpenAsLeader(TopicDescription Topic, int LeaderEpoch);

    private sealed class FlushTick
    {
        public static readonly FlushTick Instance = new();
    }

    private sealed class RetentionTick
    {
        public static readonly RetentionTick Instance = new();
    }

    private sealed class CleanerTick
    {
        public static readonly CleanerTick Instance = new();
    }

    /// <summary>A clean prepared on the thread pool for <paramref name="Log"/> (local only, never serialized).</summary>
    private sealed record CleanPrepared(PartitionLog Log, PreparedClean Prepared);

    private sealed record CleanFailed(Exception Cause);

    private sealed class SweepWaitersTick
    {
        public static readonly SweepWaitersTick Instance = new();
    }
}

/// <summary>What the journal says about a partition. Immutable.</summary>
/// <param name="Epochs">Every leader epoch started (in any leader's log: the journal is shared in cluster mode), oldest first.</param>
public sealed record PartitionMetadata(bool Created, Guid TopicId, int LeaderEpoch, long EpochStartOffset, ImmutableList<LeaderEpochStarted> Epochs)
{
    public static PartitionMetadata Initial { get; } = new(false, Guid.Empty, -1, 0, []);

    public PartitionMetadata Apply(object @event) => @event switch
    {
        LogCreated created => this with { Created = true, TopicId = created.TopicId, Epochs = created.TopicId == TopicId ? Epochs : [] },
        LeaderEpochStarted started => this with
        {
            LeaderEpoch = started.Epoch,
            EpochStartOffset = started.StartOffset,
            Epochs = Epochs.RemoveAll(e => e.Epoch >= started.Epoch).Add(started),
        },
        _ => this,
    };

    /// <summary>
    /// Kafka's OffsetForLeaderEpoch on the leader: the largest epoch it knows at or below <paramref name="epoch"/>,
    /// and its end — where the next known epoch started, or <paramref name="logEnd"/> for the current one; (-1, -1)
    /// when it knows none. Example: epochs (3 from 0), (5 from 120), log end 150: EndOf(3) = (3, 120), EndOf(4) = (3, 120),
    /// EndOf(5) = (5, 150), EndOf(2) = (-1, -1).
    /// </summary>
    public (int Epoch, long EndOffset) EndOf(int epoch, long logEnd)
    {
        int index = Epochs.FindLastIndex(e => e.Epoch <= epoch);
        if (index < 0)
            return (-1, -1);
        long end = index + 1 < Epochs.Count ? Epochs[index + 1].StartOffset : logEnd;
        return (Epochs[index].Epoch, end);
    }
}
