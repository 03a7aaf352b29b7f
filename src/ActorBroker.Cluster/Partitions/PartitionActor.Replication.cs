using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using ActorBroker.Cluster.Replication;
using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;
using ActorBroker.Storage;

namespace ActorBroker.Cluster.Partitions;

/// <summary>
/// The leader's side of replication: followers fetch (<see cref="Partitions.ReplicaFetch"/>) and thereby report
/// their progress; the high watermark (<see cref="LeaderReplication"/>) bounds what consumers read and completes
/// acks=all appends; the in-sync replica set changes only through the controller (<see cref="AlterIsr"/>), one change
/// at a time, so a deposed leader can never shrink the ISR to itself and acknowledge alone.
/// </summary>
public sealed partial class PartitionActor
{
    private const string IsrTimer = "isr";
    private static readonly TimeSpan IsrCheckInterval = TimeSpan.FromSeconds(1);

    private LeaderReplication _replication = null!;
    private int _minInsyncReplicas = 1;
    private bool _isrChangeInFlight;
    private readonly List<PendingAck> _pendingAcks = new();
    private readonly List<(IActorRef ReplyTo, ReplicaFetch Request)> _replicaWaiters = new();

    private long HighWatermark => _replication.HighWatermark;

    private bool HasReplicationWaiters => _pendingAcks.Count > 0 || _replicaWaiters.Count > 0;

    private static long NowMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private void StartReplication(PartitionAssignment assignment)
    {
        // As in Kafka, a new leader starts from the high watermark it last knew (checkpointed as a follower from the
        // old leader's fetch answers, or as an earlier leader), so consumers see no regression; it moves up as soon
        // as the in-sync followers fetch (a sole in-sync replica starts at its log end).
        _replication = LeaderReplication.Start(_settings.NodeId, assignment, OpenLog.LogEndOffset, OpenLog.CheckpointedHighWatermark, NowMs);
    }

    /// <summary>After an append: followers waiting for records get them, and a sole replica's watermark moves.</summary>
    private void OnLogAppended()
    {
        WakeReplicaWaiters();
        AdvanceHighWatermark(_replication.Advance(OpenLog.LogEndOffset));
    }

    private void AdvanceHighWatermark(LeaderReplication next)
    {
        bool moved = next.HighWatermark != _replication.HighWatermark;
        _replication = next;
        if (!moved)
            return;
        CompletePendingAcks();
        NotifyWaiters();
    }

    private void AwaitReplication(IActorRef replyTo, long requiredOffset, AppendBatchesResult reply)
    {
        _pendingAcks.Add(new PendingAck(replyTo, requiredOffset, reply, DateTime.UtcNow + PendingAckTimeout));
        CompletePendingAcks();
        EnsureSweeping();
    }

    private static readonly TimeSpan PendingAckTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Answers every acks=all append the whole ISR now has; if the ISR shrank below min.insync.replicas
    /// meanwhile, the records are there but under-replicated: NOT_ENOUGH_REPLICAS_AFTER_APPEND, as Kafka answers.</summary>
    private void CompletePendingAcks()
    {
        long hw = HighWatermark;
        _pendingAcks.RemoveAll(pending =>
        {
            if (pending.RequiredOffset > hw)
                return false;
            pending.ReplyTo.Tell(_replication.Isr.Length >= _minInsyncReplicas
                ? pending.Reply
                : pending.Reply with
                {
                    Error = ErrorCode.NotEnoughReplicasAfterAppend,
                    ErrorMessage = $"{_partition} has {_replication.Isr.Length} in-sync replica(s), fewer than min.insync.replicas ({_minInsyncReplicas}).",
                });
            return true;
        });
    }

    private void ReplicaFetch(ReplicaFetch fetch)
    {
        if (!_replication.Followers.ContainsKey(fetch.FollowerNode))
        {
            Sender.Tell(new ReplicaFetchResult(ErrorCode.NotLeaderOrFollower, ReadOnlyMemory<byte>.Empty, HighWatermark, OpenLog.LogStartOffset, _metadata.LeaderEpoch));
            return;
        }
        var log = OpenLog;
        if (fetch.FetchOffset > log.LogEndOffset || fetch.FetchOffset < log.LogStartOffset)
        {
            Sender.Tell(new ReplicaFetchResult(ErrorCode.OffsetOutOfRange, ReadOnlyMemory<byte>.Empty, HighWatermark, log.LogStartOffset, _metadata.LeaderEpoch));
            return;
        }
        AdvanceHighWatermark(_replication.OnFollowerFetch(fetch.FollowerNode, fetch.FetchOffset, log.LogEndOffset, NowMs));
        ProposeIsrExpansion(fetch.FollowerNode);
        if (fetch.FetchOffset < log.LogEndOffset || fetch.Deadline <= DateTime.UtcNow)
            AnswerReplicaFetches([(Sender, fetch)]);
        else
        {
            _replicaWaiters.Add((Sender, fetch));
            EnsureSweeping();
        }
    }

    /// <summary>
    /// Answers fetches from the log, off the actor. Fetches of the same range share one read: the followers of a
    /// partition woken by one append ask for the same offset, so with three replicas the leader reads each batch once
    /// instead of twice. When every asker is on this node and takes a file range (the replication stream's
    /// connections), the answer names the range instead of holding the bytes.
    /// </summary>
    private void AnswerReplicaFetches(IEnumerable<(IActorRef ReplyTo, ReplicaFetch Request)> fetches)
    {
        var log = OpenLog;
        long hw = HighWatermark;
        int epoch = _metadata.LeaderEpoch;
        foreach (var range in fetches.GroupBy(f => (f.Request.FetchOffset, f.Request.MaxBytes)))
        {
            var replyTos = range.Select(f => f.ReplyTo).ToList();
            var (offset, maxBytes) = range.Key;
            bool fileSlice = range.All(f => f.Request.TakesFileSlice && f.ReplyTo.Path.Address.HasLocalScope);
            Task.Run(() => ReadForFollowers(log, offset, maxBytes, hw, epoch, fileSlice)).ContinueWith(read =>
            {
                object answer = read.IsCompletedSuccessfully ? read.Result : new Status.Failure(read.Exception!.GetBaseException());
                foreach (var replyTo in replyTos)
                    replyTo.Tell(answer);
            }, TaskContinuationOptions.ExecuteSynchronously);
        }
    }

    private static object ReadForFollowers(PartitionLog log, long offset, int maxBytes, long hw, int epoch, bool fileSlice)
    {
        try
        {
            if (fileSlice && log.ReadFileSlice(offset, maxBytes) is { } slice)
                return new ReplicaFetchFileResult(new ReplicaFetchResult(ErrorCode.None, ReadOnlyMemory<byte>.Empty, hw, log.LogStartOffset, epoch), slice);
            var read = log.Read(offset, maxBytes, minOneBatch: true);
            return new ReplicaFetchResult(ErrorCode.None, read.Records, hw, read.LogStartOffset, epoch);
        }
        catch (OffsetOutOfRangeException ex)
        {
            return new ReplicaFetchResult(ErrorCode.OffsetOutOfRange, ReadOnlyMemory<byte>.Empty, hw, ex.LogStartOffset, epoch);
        }
        catch (ObjectDisposedException)
        {
            return new ReplicaFetchResult(ErrorCode.NotLeaderOrFollower, ReadOnlyMemory<byte>.Empty, -1, -1, epoch);
        }
    }

    private void WakeReplicaWaiters()
    {
        if (_replicaWaiters.Count == 0)
            return;
        var waiting = _replicaWaiters.ToList();
        _replicaWaiters.Clear();
        AnswerReplicaFetches(waiting);
    }

    private void SweepReplicationWaiters(DateTime now)
    {
        var due = _replicaWaiters.Where(w => w.Request.Deadline <= now).ToList();
        _replicaWaiters.RemoveAll(w => w.Request.Deadline <= now);
        AnswerReplicaFetches(due);
        _pendingAcks.RemoveAll(pending =>
        {
            if (pending.Deadline > now)
                return false;
            pending.ReplyTo.Tell(pending.Reply with
            {
                Error = ErrorCode.RequestTimedOut,
                ErrorMessage = $"The in-sync replicas of {_partition} did not confirm offset {pending.RequiredOffset - 1} in time.",
            });
            return true;
        });
    }

    private void EnsureSweeping()
    {
        if (!Timers.IsTimerActive(WaiterSweepTimer))
            Timers.StartPeriodicTimer(WaiterSweepTimer, SweepWaitersTick.Instance, WaiterSweepInterval);
    }

    private void GetEpochEnd(GetEpochEnd request)
    {
        var (epoch, end) = _metadata.EndOf(request.Epoch, OpenLog.LogEndOffset);
        Sender.Tell(new EpochEndResult(ErrorCode.None, epoch, end));
    }

    /// <summary>The controller changed the assignment by itself: adopt its replicas and ISR (a reassignment adds and
    /// removes followers), or step down if another node leads now.</summary>
    private void OnAssignmentChanged(AssignmentChanged changed)
    {
        if (changed.TopicId != _metadata.TopicId || changed.Assignment.LeaderEpoch < _metadata.LeaderEpoch)
            return;
        if (changed.Assignment.Leader != _settings.NodeId || changed.Assignment.LeaderEpoch > _metadata.LeaderEpoch)
        {
            StepDown($"the controller made node {changed.Assignment.Leader} leader in epoch {changed.Assignment.LeaderEpoch}");
            return;
        }
        AdvanceHighWatermark(_replication.WithAssignment(changed.Assignment, OpenLog.LogEndOffset, NowMs));
    }

    private void StepDown(string reason)
    {
        _log.Info("Partition {0} steps down as leader in epoch {1}: {2}", _partition, _metadata.LeaderEpoch, reason);
        foreach (var pending in _pendingAcks)
            pending.ReplyTo.Tell(pending.Reply with { Error = ErrorCode.NotLeaderOrFollower, ErrorMessage = $"{_partition} changed leader before the records were replicated." });
        _pendingAcks.Clear();
        BecomeUnavailable(ErrorCode.NotLeaderOrFollower, reason);
    }

    private void CheckIsr()
    {
        var lagging = _replication.LaggingIsrFollowers(NowMs, (long)_settings.Replication.ReplicaLagTimeMax.TotalMilliseconds);
        if (lagging.Length > 0)
            ProposeIsr(_replication.Isr.RemoveRange(lagging), $"follower(s) {string.Join(",", lagging)} fell behind");
    }

    /// <summary>Called on a follower's fetch only, as in Kafka: the progress of a follower that stopped fetching (its
    /// node died) is stale, and counting it as caught up would put a dead replica back into the ISR.</summary>
    private void ProposeIsrExpansion(int fetchingFollower)
    {
        var caughtUp = _replication.CaughtUpOutOfSyncFollowers().Where(f => f == fetchingFollower).ToImmutableArray();
        if (caughtUp.Length > 0)
            ProposeIsr(_replication.Isr.AddRange(caughtUp), $"follower(s) {string.Join(",", caughtUp)} caught up");
    }

    private void ProposeIsr(ImmutableArray<int> isr, string reason)
    {
        if (_isrChangeInFlight)
            return;
        _isrChangeInFlight = true;
        _registry.Ask<AlterIsrResult>(new AlterIsr(_partition, _settings.NodeId, _metadata.LeaderEpoch, isr), RegistryTimeout)
            .PipeTo(Self, success: r => new AlterIsrAnswer(r, reason), failure: ex => new AlterIsrAnswer(
                new AlterIsrResult(ErrorCode.RequestTimedOut, ex.Message, null), reason));
    }

    private void OnAlterIsrAnswer(AlterIsrAnswer answer)
    {
        _isrChangeInFlight = false;
        var result = answer.Result;
        switch (result.Error)
        {
            case ErrorCode.None when result.Assignment is { } assignment:
                _log.Info("Partition {0}: ISR now [{1}] ({2})", _partition, string.Join(",", assignment.Isr), answer.Reason);
                AdvanceHighWatermark(_replication.WithIsr(assignment.Isr, OpenLog.LogEndOffset));
                break;
            case ErrorCode.FencedLeaderEpoch:
                StepDown(result.ErrorMessage ?? "fenced by the controller");
                break;
            default:
                _log.Warning("Partition {0}: the controller did not change the ISR ({1}): {2}", _partition, answer.Reason, result.ErrorMessage);
                break;
        }
    }

    private sealed record PendingAck(IActorRef ReplyTo, long RequiredOffset, AppendBatchesResult Reply, DateTime Deadline);

    private sealed record AlterIsrAnswer(AlterIsrResult Result, string Reason);

    private sealed class IsrTick
    {
        public static readonly IsrTick Instance = new();
    }
}
