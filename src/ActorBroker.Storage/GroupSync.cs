using Microsoft.Win32.SafeHandles;

namespace ActorBroker.Storage;

/// <summary>
/// Group commit for the timed flushes of every partition log on a node. Each partition fsyncs its segment, its two
/// indexes and two checkpoint files once per flush.ms; done one file at a time, every fsync of a file with new
/// appends costs its own journal commit and disk cache flush (90 a second for the 18 replicas of a 3-node benchmark,
/// a fifth of its throughput and most of its latency tail on the test VM). Requests that arrive while a round runs
/// wait for the next round, and a round first syncs the whole file system once (Linux <c>syncfs</c>: one commit,
/// one cache flush) and then runs every request's own fsyncs, which find nothing left to write. Those per-file
/// fsyncs are what make a request durable; the file-system sync only makes them cheap, so a file on another mount,
/// or a platform without <c>syncfs</c>, is still flushed. Thread-safe; rounds run on the thread pool, one at a time.
/// </summary>
public sealed class GroupSync
{
    private readonly object _gate = new();
    private List<Request> _queued = new();
    private bool _running;

    /// <summary>Rounds run so far (each syncs the file system at most once: not when no request in it named a file).</summary>
    public long Rounds => Interlocked.Read(ref _rounds);

    private long _rounds;

    /// <summary>Tests only: runs before each round with its number (1, 2, ...), on the round's thread.</summary>
    internal Action<long>? BeforeRound { get; set; }

    /// <summary>
    /// Runs <paramref name="fsyncs"/> in the next round, after a sync of the file system holding
    /// <paramref name="anyFile"/> (null: no file-system sync is needed for this request). The task fails with the
    /// first exception an fsync threw; the others still ran.
    /// </summary>
    public Task SyncAsync(SafeFileHandle? anyFile, IReadOnlyList<Action> fsyncs)
    {
        var request = new Request(anyFile, fsyncs, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        bool start;
        lock (_gate)
        {
            _queued.Add(request);
            start = !_running;
            _running = true;
        }
        if (start)
            _ = Task.Run(RunRounds);
        return request.Done.Task;
    }

    private void RunRounds()
    {
        while (true)
        {
            List<Request> round;
            lock (_gate)
            {
                if (_queued.Count == 0)
                {
                    _running = false;
                    return;
                }
                round = _queued;
                _queued = new List<Request>();
            }
            long number = Interlocked.Increment(ref _rounds);
            BeforeRound?.Invoke(number);
            if (round.Select(r => r.AnyFile).FirstOrDefault(f => f is { IsClosed: false }) is { } file)
                FileSystemSync.TrySyncFileSystemOf(file);
            foreach (var request in round)
                request.Run();
        }
    }

    private sealed record Request(SafeFileHandle? AnyFile, IReadOnlyList<Action> Fsyncs, TaskCompletionSource Done)
    {
        public void Run()
        {
            Exception? first = null;
            foreach (var fsync in Fsyncs)
            {
                try
                {
                    fsync();
                }
                catch (Exception e)
                {
                    first ??= e;
                }
            }
            if (first is null)
                Done.SetResult();
            else
                Done.SetException(first);
        }
    }
}
