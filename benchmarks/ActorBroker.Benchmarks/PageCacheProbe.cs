using System.Diagnostics;

namespace ActorBroker.Benchmarks;

/// <summary>
/// How fast this machine writes into page-cache pages it has to allocate, measured just before a scenario: the state
/// the scenario starts in. A broker's produce path is such a write, and on a VM that hands freed guest memory back to
/// the host its cost depends on what ran before (docs/benchmarks.md, "why the 3-node figure drops after other
/// scenarios"). Small on purpose, so it does not speed up the scenario after it with the pages it frees; for the same
/// reason it shows the start, not what a scenario writing gigabytes meets later (it did not predict the 3-node figure).
/// </summary>
public static class PageCacheProbe
{
    private const int ChunkBytes = 1 << 20;

    /// <summary>MB/s of 1 MiB writes (no sync) into a new file in <paramref name="directory"/>, deleted afterwards.</summary>
    public static double FreshPagesMegabytesPerSecond(string directory, long bytes)
    {
        string path = Path.Combine(directory, $"page-cache-probe-{Environment.ProcessId}.tmp");
        var chunk = new byte[ChunkBytes];
        Random.Shared.NextBytes(chunk);
        try
        {
            using var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write);
            var clock = Stopwatch.StartNew();
            for (long written = 0; written < bytes; written += ChunkBytes)
                RandomAccess.Write(file, chunk, written);
            return bytes / clock.Elapsed.TotalSeconds / 1e6;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
