using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Event;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Cluster.Replication.Stream;
using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;
using ActorBroker.Storage;

namespace ActorBroker.Cluster.Replication;

/// <summary>
/// Copies one partition's log from its leader onto this node, as a Kafka follower does: open the local log, cut
/// off what diverges from the leader (ask the end of the local log's last epoch, <see cref="GetEpochEnd"/>, and
/// truncate there, repeated until nothing is cut), then fetch from the local log end in a loop
/// (<see cref="ReplicaFetch"/>, long-polling at the leader) and append the batches as they are. The leader learns
/// the follower's progress from the fetch offsets. A leader change (new epoch) restarts at the divergence check.
/// Fetches travel over the replication stream to the leader's node (<see cref="ReplicaFetchClient"/>), which carries
/// the record bytes without Akka remoting's copies; the rare epoch-end question goes through the "partition" shard
/// region, which knows where the leader lives.
/// </summary>
public sealed class FollowerActor : ReceiveActor, IWithTimers
{
    private const string RetryTimer = "retry";
    private const string FlushTimer = "flush";
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan AskMargin = TimeSpan.FromSeconds(5);

    private readonly ActorBrokerSettings _settings;
    private readonly IActorRef _partitions;
    private readonly LocalReplicas _replicas;
    private readonly ReplicaFetchClient _fetchClient;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private FollowedPartition _followed;
    private PartitionLog? _partitionLog;
    private int _generation; // bumped on every leader change: answers to older requests are dropped
    private bool _dirty;
    private long _leaderHighWatermark = -1; // from the leader's fetch answers; checkpointed with each flush
    private bool _backgroundFlushing;
    private Action? _behaviour;

    public FollowerActor(FollowedPartition followed, ActorBrokerSettings settings, IActorRef partitions, LocalReplicas replicas, ReplicaFetchClient fetchClient)
    {
        _followed = followed;
        _settings = settings;
        _partitions = partitions;
        _replicas = replicas;
        _fetchClient = fetchClient;
        Enter(Acquiring);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private TopicPartition Partition => _followed.TopicPartition;

    private PartitionLog Log => _partitionLog ?? throw new InvalidOperationException("The follower's log is not open.");

    public static Props Props(FollowedPartition followed, ActorBrokerSettings settings, IActorRef partitions, LocalReplicas replicas, ReplicaFetchClient fetchClient) =>
        Akka.Actor.Props.Create(() => new FollowerActor(followed, settings, partitions, replicas, fetchClient));

    protected override void PreStart() => Self.Tell(new Retry(_generation));

    private void Acquiring()
    {
        Receive<Retry>(_ =>
        {
            if (!_replicas.TryAcquire(Partition, Self))
            {
                Timers.StartSingleTimer(RetryTimer, new Retry(_generation), RetryDelay); // the leader entity is still closing it
                return;
            }
            var directory = Path.Combine(_settings.LogsDirectory, Partition.EntityId);
            _partitionLog = PartitionLog.Open(directory, TopicLogConfig.For(_followed.Topic, _settings));
            Timers.StartPeriodicTimer(FlushTimer, FlushTick.Instance, _settings.FlushInterval);
            _log.Info("Following {0} from node {1} (epoch {2}); local log end {3}", Partition, _followed.Assignment.Leader,
                _followed.Assignment.LeaderEpoch, _partitionLog.LogEndOffset);
            CheckDivergence();
        });
        ReceiveCommon();
    }

    /// <summary>Asks the leader where the local log's last epoch ends there (Kafka's OffsetForLeaderEpoch).</summary>
    private void CheckDivergence()
    {
        int epoch = Log.LastBatchEpoch();
        if (epoch < 0)
        {
            Fetch();
            return;
        }
        int generation = _generation;
        _partitions.Ask<EpochEndResult>(new GetEpochEnd(Partition, epoch), AskMargin)
            .PipeTo(Self, success: r => new EpochEndAnswer(generation, epoch, r), failure: ex => new Failed(generation, ex));
        Enter(Checking);
    }

    private void Checking()
    {
        Receive<EpochEndAnswer>(a => a.Generation == _generation, answer =>
        {
            var result = answer.Result;
            if (result.Error != ErrorCode.None)
            {
                RetryLater($"the leader could not say where epoch {answer.Epoch} ends: {result.Error}");
                return;
            }
            long end = result.Epoch < 0 ? Log.LogStartOffset : result.EndOffset;
            if (end < Log.LogEndOffset)
            {
                _log.Warning("Follower of {0} truncates its log from {1} to {2}: records after it diverge from the leader (epoch {3} ends there)",
                    Partition, Log.LogEndOffset, end, answer.Epoch);
                Log.TruncateTo(end);
                CheckDivergence();
                return;
            }
            Fetch();
        });
        ReceiveCommon();
    }

    private void Fetch()
    {
        int generation = _generation;
        var wait = _settings.Replication.FetchWait;
        var request = new ReplicaFetch(Partition, _settings.NodeId, Log.LogEndOffset, _settings.Replication.FetchMaxBytes,
            _followed.Assignment.LeaderEpoch, DateTime.UtcNow + wait);
        _fetchClient.FetchAsync(_followed.Assignment.Leader, request, wait + AskMargin)
            .PipeTo(Self, success: r => new Fetched(generation, r), failure: ex => new Failed(generation, ex));
        Enter(Fetching);
    }

    private void Fetching()
    {
        Receive<Fetched>(f => f.Generation == _generation, fetched =>
        {
            using var answer = fetched.Answer; // its records go back to the pool once appended
            var result = answer.Result;
            switch (result.Error)
            {
                case ErrorCode.None when result.LeaderEpoch != _followed.Assignment.LeaderEpoch:
                    RetryLater($"the leader is in epoch {result.LeaderEpoch}, not {_followed.Assignment.LeaderEpoch}");
                    break;
                case ErrorCode.None:
                    if (!result.Records.IsEmpty)
                    {
                        Log.AppendReplicated(MemoryMarshal.AsMemory(result.Records));
                        _dirty = true;
                    }
                    _leaderHighWatermark = result.HighWatermark;
                    Fetch();
                    break;
                case ErrorCode.OffsetOutOfRange:
                    RetryLater($"fetch offset {Log.LogEndOffset} is out of the leader's range (log start {result.LogStartOffset})");
                    break;
                default:
                    RetryLater($"the leader answered {result.Error}");
                    break;
            }
        });
        ReceiveCommon();
    }

    private void ReceiveCommon()
    {
        Receive<FollowedPartition>(followed =>
        {
            bool leaderChanged = followed.Assignment.Leader != _followed.Assignment.Leader
                                 || followed.Assignment.LeaderEpoch != _followed.Assignment.LeaderEpoch;
            _followed = followed;
            if (!leaderChanged || _partitionLog is null)
                return;
            _generation++;
            _log.Info("Follower of {0}: the leader is now node {1} in epoch {2}", Partition, followed.Assignment.Leader, followed.Assignment.LeaderEpoch);
            CheckDivergence();
        });
        Receive<Failed>(f => f.Generation == _generation, failed =>
            RetryLater(failed.Cause.GetBaseException().Message));
        Receive<Retry>(r => r.Generation == _generation && _partitionLog is not null, _ => CheckDivergence());
        Receive<FlushTick>(_ => FlushInBackground());
        Receive<BackgroundFlushDone>(done =>
        {
            _backgroundFlushing = false;
            if (done.Failure is { } failure)
                _log.Warning("Timed flush of the replica of {0} failed (the next one retries): {1}", Partition, failure.GetBaseException().Message);
        });
        ReceiveAny(_ => { }); // an answer of an earlier generation
    }

    private void RetryLater(string reason)
    {
        _log.Debug("Follower of {0} retries: {1}", Partition, reason);
        Timers.StartSingleTimer(RetryTimer, new Retry(_generation), RetryDelay);
        Enter(Waiting);
    }

    private void Waiting() => ReceiveCommon();

    /// <summary>Becomes <paramref name="behaviour"/> unless already in it: Become rebuilds the actor's handlers, and the
    /// fetch loop would do it on every fetch (0.6 % of the machine in a 3-node benchmark).</summary>
    private void Enter(Action behaviour)
    {
        if (behaviour.Equals(_behaviour))
            return;
        _behaviour = behaviour;
        Become(behaviour);
    }

    /// <summary>The timed flush, off this actor's thread (see <see cref="PartitionLog.FlushInBackground"/>): fetching
    /// and appending go on while it fsyncs. One at a time.</summary>
    private void FlushInBackground()
    {
        if (_partitionLog is null || _backgroundFlushing)
            return;
        _backgroundFlushing = true;
        _dirty = false;
        _partitionLog.PageCacheKeepBytes = _replicas.PageCacheShare;
        _partitionLog.FlushInBackground(_leaderHighWatermark, _replicas.TimedFlushes)
            .PipeTo(Self, success: () => new BackgroundFlushDone(null), failure: ex => new BackgroundFlushDone(ex));
    }

    /// <summary>Flushes appended records, then checkpoints the leader's high watermark, so that if this replica
    /// becomes leader its consumers see no watermark below what the old leader had shown them.</summary>
    private void Flush()
    {
        if (_partitionLog is null)
            return;
        if (_dirty)
        {
            _partitionLog.Flush();
            _dirty = false;
        }
        _partitionLog.CheckpointHighWatermark(_leaderHighWatermark);
    }

    protected override void PostStop()
    {
        if (_partitionLog is not null)
        {
            Flush();
            _partitionLog.Dispose();
            _log.Info("Stopped following {0} at log end {1}", Partition, _partitionLog.LogEndOffset);
        }
        _replicas.Release(Partition, Self);
    }

    private sealed record Retry(int Generation);

    private sealed record EpochEndAnswer(int Generation, int Epoch, EpochEndResult Result);

    private sealed record Fetched(int Generation, LinkAnswer Answer);

    private sealed record Failed(int Generation, Exception Cause);

    private sealed record BackgroundFlushDone(Exception? Failure);

    private sealed class FlushTick
    {
        public static readonly FlushTick Instance = new();
    }
}
