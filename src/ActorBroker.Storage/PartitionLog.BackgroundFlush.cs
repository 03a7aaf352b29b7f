namespace ActorBroker.Storage;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Flushes off the writer thread what is in the log now, then moves the recovery point up to it and checkpoints
    /// <paramref name="highWatermark"/> (as <see cref="Flush"/> and <see cref="CheckpointHighWatermark"/> do), so that a
    /// timed flush does not stall appends for its fsyncs. Started on the writer thread, one at a time (the caller
    /// starts the next only after this one completed). Appends may go on meanwhile; a truncation meanwhile, or
    /// disposing the log, leaves the checkpoints as they made them. A segment closed meanwhile (retention, cleaning)
    /// is skipped.
    /// </summary>
    public Task FlushInBackground(long highWatermark)
    {
        ThrowIfDisposed();
        var plan = new FlushPlan(Volatile.Read(ref _segments), _logEndOffset, Math.Min(highWatermark, _logEndOffset), TruncationCount);
        return Task.Run(() => Execute(plan));
    }

    private int TruncationCount
    {
        get
        {
            lock (_checkpointLock)
                return _truncations;
        }
    }

    private void Execute(FlushPlan plan)
    {
        foreach (var segment in plan.Segments)
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
        lock (_checkpointLock)
        {
            if (_disposed || plan.Truncations != _truncations)
                return;
            AdvanceRecoveryPoint(plan.LogEnd);
            StoreHighWatermark(plan.HighWatermark);
        }
    }

    private sealed record FlushPlan(LogSegment[] Segments, long LogEnd, long HighWatermark, int Truncations);
}
