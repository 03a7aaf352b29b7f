using System.Collections.Concurrent;

namespace ActorBroker.Storage.Tests;

/// <summary>
/// Reader threads for concurrency tests: each calls <c>readOnce</c> (with its own seeded Random) in a loop until
/// <see cref="StopAsync"/>; a returned message or a thrown exception is a failure.
/// </summary>
public sealed class ReaderPool
{
    private readonly CancellationTokenSource _done = new();
    private readonly Task[] _readers;
    private long _reads;

    public ReaderPool(int readers, Func<Random, string?> readOnce)
    {
        _readers = Enumerable.Range(1, readers).Select(seed => Task.Factory.StartNew(() =>
        {
            var random = new Random(seed);
            while (!_done.IsCancellationRequested)
            {
                try
                {
                    if (readOnce(random) is { } failure)
                        Failures.Enqueue(failure);
                    Interlocked.Increment(ref _reads);
                }
                catch (Exception e)
                {
                    Failures.Enqueue(e.ToString());
                }
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
    }

    public ConcurrentQueue<string> Failures { get; } = new();

    public long Reads => Interlocked.Read(ref _reads);

    public async Task StopAsync()
    {
        _done.Cancel();
        await Task.WhenAll(_readers);
        _done.Dispose();
    }
}
