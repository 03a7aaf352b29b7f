namespace ActorBroker.Storage;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Flushes off the writer thread what is in the log now, then moves the recovery point up to it and checkpoints
    /// <paramref name="highWatermark"/> (as <see cref="Flush"/> and <see cref="CheckpointHighWatermark"/> do), so that a
    /// timed flush does not stall appends for its fsyncs. The fsyncs run in rounds of <paramref name="group"/>, shared
    /// with the other logs of the node (a log of its own when null). Started on the writer thread, one at a time (the
    /// caller starts the next only after this one completed). Appends may go on meanwhile; a truncation or a
    /// checkpoint written meanwhile, or disposing the log, leaves the checkpoints as they made them. A segment closed
    /// meanwhile (retention, cleaning) is skipped.
    /// </summary>
    public Task FlushInBackground(long highWatermark, GroupSync? group = null)
    {
        ThrowIfDisposed();
        FlushPlan plan;
        lock (_checkpointLock)
            plan = new FlushPlan(Volatile.Read(ref _segments), _logEndOffset, Math.Min(highWatermark, _logEndOffset), _truncations, _checkpointWrites);
        return FlushAsync(plan, group ?? new GroupSync());
    }

    private async Task FlushAsync(FlushPlan plan, GroupSync group)
    {
        var dirty = plan.Segments.FirstOrDefault(s => s.IsDirty);
        await group.SyncAsync(dirty?.LogHandle, plan.Segments.Select(segment => (Action)(() => FlushUnlessClosed(segment))).ToList());
        ReleaseFlushedPages(plan.Segments);
        var prepared = PrepareCheckpoints(plan);
        if (prepared.Count == 0)
            return;
        try
        {
            await group.SyncAsync(null, prepared.Select(p => (Action)p.Checkpoint.Sync).ToList());
        }
        catch
        {
            foreach (var p in prepared)
                p.Checkpoint.Abandon();
            throw;
        }
        CommitCheckpoints(plan, prepared);
    }

    private static void FlushUnlessClosed(LogSegment segment)
    {
        try
        {
            segment.Flush();
        }
        catch (ObjectDisposedException)
        {
            // Deleted or replaced since the plan was made: nothing of it is left to make durable.
        }
    }

    /// <summary>The segments are durable up to the plan's log end: raises the recovery point and writes the
    /// checkpoints that changed to temp files, unless the log was truncated or closed since the plan.</summary>
    private List<PreparedFlushCheckpoint> PrepareCheckpoints(FlushPlan plan)
    {
        var prepared = new List<PreparedFlushCheckpoint>();
        lock (_checkpointLock)
        {
            if (_disposed || plan.Truncations != _truncations)
                return prepared;
            if (plan.LogEnd > _recoveryPoint)
                Volatile.Write(ref _recoveryPoint, plan.LogEnd);
            if (_recoveryPoint != _checkpointed)
                prepared.Add(new(IsRecoveryPoint: true, CheckpointFile.Prepare(Directory, RecoveryPointCheckpoint.FileName, _recoveryPoint)));
            if (plan.HighWatermark >= 0 && plan.HighWatermark != StoredHighWatermark)
                prepared.Add(new(IsRecoveryPoint: false, CheckpointFile.Prepare(Directory, HighWatermarkCheckpoint.FileName, plan.HighWatermark)));
        }
        return prepared;
    }

    /// <summary>Puts the synced checkpoints in place, unless a truncation, a checkpoint written on the writer thread
    /// or closing the log came first: then theirs stand, and the next timed flush writes newer ones.</summary>
    private void CommitCheckpoints(FlushPlan plan, List<PreparedFlushCheckpoint> prepared)
    {
        lock (_checkpointLock)
        {
            bool stale = _disposed || plan.Truncations != _truncations || plan.CheckpointWrites != _checkpointWrites;
            var committed = 0;
            try
            {
                for (; !stale && committed < prepared.Count; committed++)
                {
                    var (isRecoveryPoint, checkpoint) = prepared[committed];
                    checkpoint.Commit();
                    if (isRecoveryPoint)
                        _checkpointed = checkpoint.Value;
                    else
                        _highWatermarkCheckpoint = checkpoint.Value;
                }
            }
            finally
            {
                // What was not committed (stale, or after a rename that failed) is dropped: no temp file or handle leaks.
                foreach (var p in prepared.Skip(committed))
                    p.Checkpoint.Abandon();
            }
        }
    }

    private sealed record FlushPlan(LogSegment[] Segments, long LogEnd, long HighWatermark, int Truncations, int CheckpointWrites);

    private sealed record PreparedFlushCheckpoint(bool IsRecoveryPoint, PreparedCheckpoint Checkpoint);
}
