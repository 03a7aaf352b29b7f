using System.Diagnostics;

namespace ActorBroker.Benchmarks;

/// <summary>
/// How fast this machine writes into page-cache pages it has to allocate, measured just before a scenario. A broker's
/// produce path is such a write, and on a VM that hands freed guest memory back to the host its cost depends on what
/// ran before (docs/benchmarks.md, "the 3-node figure after other scenarios"): the figure puts each scenario's
/// throughput next to the limit it met. Small on purpose: the pages it frees are cheap to reuse at once, and a large
/// probe would speed up the scenario it measures for.
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
