using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Win32.SafeHandles;

namespace ActorBroker.Storage.Benchmarks;

/// <summary>When a run fsyncs: never (until the end), on the first write at least 10 ms after the last fsync (group commit, as the partition actor's flush.ms timer), or after every batch.</summary>
public enum SyncPolicy
{
    FlushOff,
    GroupCommit10Ms,
    EveryBatch,
}

/// <summary>How a plain file's blocks are provided: grown by each write, extended sparse by SetLength (ftruncate), or allocated up front with fallocate.</summary>
public enum FileAllocation
{
    Grown,
    SetLength,
    Fallocate,
}

/// <summary>
/// One measured run. <see cref="WriteElapsed"/> ends after the last write (and its fsync, if the policy makes one);
/// <see cref="DurableElapsed"/> after a final fsync, so both rates are comparable with dd's conv=fdatasync.
/// </summary>
public sealed record ThroughputResult(string Name, long Bytes, TimeSpan WriteElapsed, TimeSpan DurableElapsed, long Fsyncs)
{
    public double WriteMBps => Bytes / 1e6 / WriteElapsed.TotalSeconds;
    public double DurableMBps => Bytes / 1e6 / DurableElapsed.TotalSeconds;
}

/// <summary>Everything one <c>--throughput</c> run measured, with the machine's load average before and after.</summary>
public sealed record ThroughputRun(ThroughputResult? Dd, IReadOnlyList<ThroughputResult> Log, IReadOnlyList<ThroughputResult> Files, string LoadBefore, string LoadAfter);

/// <summary>
/// The <c>--throughput</c> mode: appends 16 KiB batches of 1 KiB records to a fresh <see cref="PartitionLog"/> (its
/// default 1 GiB segments) on one thread, as the partition actor does, under each <see cref="SyncPolicy"/>; then writes the
/// same batches to a plain file under each <see cref="FileAllocation"/> (does preallocating help sequential appends?);
/// and runs dd with conv=fdatasync into the same directory for the machine's sequential write limit. Every run has its
/// own directory, deleted afterwards. Not thread-safe; one run at a time.
/// </summary>
public static class ThroughputRunner
{
    public static ThroughputRun Run(ThroughputOptions options, TextWriter progress)
    {
        string root = Path.Combine(options.Directory, "actorbroker-storage-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            string loadBefore = LoadAverage();
            var dd = options.DdMegabytes > 0 ? RunDd(root, options.DdMegabytes, progress) : null;
            var log = Enum.GetValues<SyncPolicy>().Select(policy => RunLog(root, options, policy, progress)).ToList();
            var files = new List<ThroughputResult>();
            foreach (var policy in new[] { SyncPolicy.GroupCommit10Ms, SyncPolicy.EveryBatch })
                foreach (var allocation in Enum.GetValues<FileAllocation>())
                    files.Add(RunFile(root, options, allocation, policy, progress));
            return new ThroughputRun(dd, log, files, loadBefore, LoadAverage());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static ThroughputResult RunLog(string root, ThroughputOptions options, SyncPolicy policy, TextWriter progress)
    {
        string directory = Path.Combine(root, "log-" + policy);
        byte[] batch = Batches.Build();
        using var log = PartitionLog.Open(directory, LogConfig.Default);
        var result = Measure($"PartitionLog.Append, {Describe(policy)}", options, policy, batch.Length,
            () => log.Append(batch, 0), log.Flush);
        progress.WriteLine($"  {result.Name}: {result.DurableMBps:F1} MB/s");
        return result;
    }

    private static ThroughputResult RunFile(string root, ThroughputOptions options, FileAllocation allocation, SyncPolicy policy, TextWriter progress)
    {
        string path = Path.Combine(root, $"file-{allocation}-{policy}.dat");
        long size = (long)options.MegabytesPerRun * 1024 * 1024;
        using var file = allocation == FileAllocation.Fallocate
            ? File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.None, preallocationSize: size)
            : File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite);
        if (allocation == FileAllocation.SetLength)
            RandomAccess.SetLength(file, size);
        byte[] chunk = Batches.Build();
        long position = 0;
        var result = Measure($"plain file, {Describe(allocation)}, {Describe(policy)}", options, policy, chunk.Length,
            () =>
            {
                RandomAccess.Write(file, chunk, position);
                position += chunk.Length;
            },
            () => RandomAccess.FlushToDisk(file));
        progress.WriteLine($"  {result.Name}: {result.DurableMBps:F1} MB/s");
        File.Delete(path);
        return result;
    }

    /// <summary>Calls <paramref name="write"/> (each writing <paramref name="bytesPerWrite"/>) until the run's size or time is reached, fsyncing by <paramref name="policy"/>, then once more at the end.</summary>
    private static ThroughputResult Measure(string name, ThroughputOptions options, SyncPolicy policy, int bytesPerWrite, Action write, Action fsync)
    {
        long limit = (long)options.MegabytesPerRun * 1024 * 1024;
        var maxTime = TimeSpan.FromSeconds(options.SecondsPerRun);
        long bytes = 0, fsyncs = 0, lastFsyncMs = 0;
        var clock = Stopwatch.StartNew();
        while (bytes + bytesPerWrite <= limit && clock.Elapsed < maxTime)
        {
            write();
            bytes += bytesPerWrite;
            if (policy == SyncPolicy.EveryBatch || (policy == SyncPolicy.GroupCommit10Ms && clock.ElapsedMilliseconds - lastFsyncMs >= 10))
            {
                fsync();
                fsyncs++;
                lastFsyncMs = clock.ElapsedMilliseconds;
            }
        }
        var written = clock.Elapsed;
        fsync();
        return new ThroughputResult(name, bytes, written, clock.Elapsed, fsyncs + 1);
    }

    /// <summary>dd if=/dev/zero of=DIR/dd.tmp bs=1M count=N conv=fdatasync; its own elapsed time, from its summary line.</summary>
    private static ThroughputResult? RunDd(string root, int megabytes, TextWriter progress)
    {
        string path = Path.Combine(root, "dd.tmp");
        var start = new ProcessStartInfo("dd") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in new[] { "if=/dev/zero", $"of={path}", "bs=1M", $"count={megabytes}", "conv=fdatasync" })
            start.ArgumentList.Add(arg);
        using var dd = Process.Start(start) ?? throw new InvalidOperationException("Could not start dd.");
        string stderr = dd.StandardError.ReadToEnd();
        dd.WaitForExit();
        File.Delete(path);
        var match = Regex.Match(stderr, @"^(\d+) bytes.*copied, ([\d.]+) s", RegexOptions.Multiline);
        if (dd.ExitCode != 0 || !match.Success)
        {
            progress.WriteLine($"  dd failed (exit {dd.ExitCode}): {stderr.Trim()}");
            return null;
        }
        long bytes = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var elapsed = TimeSpan.FromSeconds(double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
        var result = new ThroughputResult($"dd bs=1M count={megabytes} conv=fdatasync", bytes, elapsed, elapsed, 1);
        progress.WriteLine($"  {result.Name}: {result.DurableMBps:F1} MB/s");
        return result;
    }

    private static string Describe(SyncPolicy policy) => policy switch
    {
        SyncPolicy.FlushOff => "flush off",
        SyncPolicy.GroupCommit10Ms => "group-commit fsync every 10 ms",
        _ => "fsync per batch",
    };

    private static string Describe(FileAllocation allocation) => allocation switch
    {
        FileAllocation.Grown => "grown by writes",
        FileAllocation.SetLength => "SetLength (sparse)",
        _ => "fallocate",
    };

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
