using ActorBroker.Storage.Cleaning;

namespace ActorBroker.Storage;

/// <summary>
/// Log compaction of a <see cref="PartitionLog"/> (<c>cleanup.policy=compact</c>), in three steps so that the slow
/// part runs off the writer thread while appends go on:
/// <list type="number">
/// <item><see cref="PlanClean"/> (any thread): is a clean due (<see cref="CleanPlanner"/>)?</item>
/// <item><see cref="PrepareClean"/> (any thread, one clean at a time per log): reads the inactive segments, builds the
/// key map, writes each segment's cleaned copy as <c>.cleaned</c> files (<see cref="LogCleaner"/>).</item>
/// <item><see cref="CompleteClean"/> (writer thread): commits and swaps the files (<see cref="SegmentSwap"/>), opens
/// the cleaned segments and publishes the new segment array inside the sequence lock, closes the old segments, and
/// checkpoints the first dirty offset (<see cref="CleanerCheckpoint"/>). Or <see cref="AbortClean"/> deletes the files.</item>
/// </list>
/// <para>The swap runs on the writer thread because the writer also deletes segment files (retention, truncation): doing
/// both on one thread means a segment is never deleted by path after its file was replaced, and a clean whose segments
/// retention removed meanwhile is simply abandoned. The swap itself is a few renames and index loads, no data copy.</para>
/// <para><b>Readers</b> during a swap: a reader holding the old segment array reads the old files (their handles stay
/// valid after the rename); the publication bumps the sequence lock, so a reader that overlapped it — and may have hit a
/// segment closed under it — starts over on the new array. Offsets are identical in both arrays, so a retried read
/// returns the same records minus those the clean removed.</para>
/// </summary>
public sealed partial class PartitionLog
{
    private long _firstDirtyOffset;
    private long _tombstoneDeadline = -1;
    private int _cleaning; // 1 while a PreparedClean is outstanding

    /// <summary>Tests only: called with "commit", "replace" (once per rewritten segment each), "publish" and "checkpoint" before each step of <see cref="CompleteClean"/>.</summary>
    internal Action<string>? OnSwapStep { get; set; }

    /// <summary>The first offset not cleaned yet (the cleaner checkpoint). Any thread.</summary>
    public long FirstDirtyOffset => Volatile.Read(ref _firstDirtyOffset);

    /// <summary>Whether a clean is due now, and over which range. Any thread.</summary>
    public CleanPlan PlanClean(CleanerConfig config, long nowMs)
    {
        ThrowIfDisposed();
        return CleanPlanner.Plan(Segments, LogStartOffset, FirstDirtyOffset, Volatile.Read(ref _tombstoneDeadline), config, nowMs);
    }

    /// <summary>
    /// Writes the cleaned copies of the segments <paramref name="plan"/> covers. Any thread, concurrently with appends
    /// and reads; at most one clean per log at a time.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another clean of this log is outstanding.</exception>
    public PreparedClean PrepareClean(CleanPlan plan, CleanerConfig config, long nowMs)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(plan);
        if (Interlocked.CompareExchange(ref _cleaning, 1, 0) != 0)
            throw new InvalidOperationException($"A clean of {Directory} is already in progress.");
        try
        {
            var segments = Volatile.Read(ref _segments);
            long logStart = LogStartOffset;
            var cleanable = segments[..^1].Where(s => s.NextOffset > logStart && s.BaseOffset < plan.FirstUncleanableOffset).ToList();
            return LogCleaner.Prepare(Directory, _config, cleanable, plan, config, nowMs);
        }
        catch
        {
            Volatile.Write(ref _cleaning, 0);
            throw;
        }
    }

    /// <summary>
    /// Swaps the cleaned segments in and checkpoints the new first dirty offset (see the type comment). Abandons the
    /// clean (deleting its files) when a segment it rewrote is no longer in the log. Writer thread only.
    /// </summary>
    public CleanResult CompleteClean(PreparedClean prepared)
    {
        ThrowIfDisposed();
        try
        {
            var current = _segments;
            if (prepared.Rewritten.Any(s => Array.IndexOf(current, s) < 0))
            {
                DiscardFiles(prepared);
                return new CleanResult(false, "retention or truncation removed a segment during the clean", prepared.Statistics, FirstDirtyOffset);
            }
            foreach (var segment in prepared.Rewritten)
            {
                OnSwapStep?.Invoke("commit");
                SegmentSwap.Commit(Directory, segment.BaseOffset);
            }
            var next = (LogSegment[])current.Clone();
            foreach (var segment in prepared.Rewritten)
            {
                OnSwapStep?.Invoke("replace");
                SegmentSwap.Replace(Directory, segment.BaseOffset);
                next[Array.IndexOf(current, segment)] = OpenCleaned(segment);
            }
            OnSwapStep?.Invoke("publish");
            Interlocked.Increment(ref _version);
            try
            {
                Volatile.Write(ref _segments, next);
            }
            finally
            {
                Interlocked.Increment(ref _version);
            }
            // Readers that may still use these started before the increments above and will retry.
            foreach (var segment in prepared.Rewritten)
                segment.Dispose();
            OnSwapStep?.Invoke("checkpoint");
            long firstDirty = prepared.Plan.FirstUncleanableOffset;
            CleanerCheckpoint.Write(Directory, firstDirty, prepared.TombstoneDeadline);
            Volatile.Write(ref _firstDirtyOffset, firstDirty);
            Volatile.Write(ref _tombstoneDeadline, prepared.TombstoneDeadline);
            return new CleanResult(true, prepared.Plan.Reason, prepared.Statistics, firstDirty);
        }
        finally
        {
            Volatile.Write(ref _cleaning, 0);
        }
    }

    /// <summary>Deletes the cleaned files of a clean that will not be completed. Any thread.</summary>
    public void AbortClean(PreparedClean prepared)
    {
        try
        {
            DiscardFiles(prepared);
        }
        finally
        {
            Volatile.Write(ref _cleaning, 0);
        }
    }

    /// <summary>
    /// Plans, prepares and completes a clean on the calling thread, if one is due. Writer thread only (the broker runs
    /// the prepare step on the thread pool instead; see <see cref="PrepareClean"/>).
    /// </summary>
    public CleanResult Clean(CleanerConfig config, long nowMs)
    {
        var plan = PlanClean(config, nowMs);
        if (!plan.Due)
            return new CleanResult(false, plan.Reason, CleanResult.Nothing, FirstDirtyOffset);
        return CompleteClean(PrepareClean(plan, config, nowMs));
    }

    private void DiscardFiles(PreparedClean prepared)
    {
        foreach (var segment in prepared.Rewritten)
            SegmentSwap.Discard(Directory, segment.BaseOffset);
    }

    /// <summary>Opens a just-swapped segment; it ends where the segment it replaced ended (a dropped last batch leaves a gap).</summary>
    private LogSegment OpenCleaned(LogSegment replaced)
    {
        var fresh = LogSegment.Open(Directory, replaced.BaseOffset, _config);
        if (fresh.IndexProblem is not null || fresh.TimeIndexProblem is not null)
        {
            fresh.Recover(fresh.BaseOffset);
            fresh.Seal();
        }
        fresh.AssumeEndsAt(replaced.NextOffset);
        return fresh;
    }

    /// <summary>At <see cref="Open"/>: loads the cleaner checkpoint.</summary>
    private void LoadCleanerCheckpoint(ICollection<string> notes)
    {
        (_firstDirtyOffset, _tombstoneDeadline) = CleanerCheckpoint.Read(Directory, notes);
    }
}
