using System.Diagnostics;

namespace ActorBroker.Benchmarks;

/// <summary>
/// CPU use over one run, from Linux /proc: the node's process (utime + stime of /proc/PID/stat), this process
/// (the client, librdkafka threads included) and the whole machine (/proc/stat), so a figure can be read next to
/// what else the machine was doing. Percentages of one core, as top prints them, except machine busy, which is a
/// percentage of all cores. The node's CPU wait is the time its threads were runnable but not running (the sum of
/// the second field of /proc/PID/task/*/schedstat), in % of wall time: high means the node was starved of CPU by
/// other processes, not that it was slow. Figures are null where /proc is not readable.
/// </summary>
public sealed class CpuMeter
{
    private const double ClockTicksPerSecond = 100; // USER_HZ; 100 on every Linux build that matters here

    private readonly int? _nodePid;
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly long? _nodeTicks;
    private readonly TimeSpan _client = Process.GetCurrentProcess().TotalProcessorTime;
    private readonly (long Busy, long Total)? _machine;
    private readonly long? _nodeWaitNs;

    private CpuMeter(int? nodePid)
    {
        _nodePid = nodePid;
        _nodeTicks = nodePid is { } pid ? ProcessTicks(pid) : null;
        _machine = MachineTicks();
        _nodeWaitNs = nodePid is { } p ? RunQueueWaitNs(p) : null;
    }

    public static CpuMeter Start(int? nodePid) => new(nodePid);

    public CpuUse Stop()
    {
        double wall = Stopwatch.GetElapsedTime(_start).TotalSeconds;
        double? node = _nodePid is { } pid && _nodeTicks is { } before && ProcessTicks(pid) is { } after
            ? (after - before) / ClockTicksPerSecond / wall * 100
            : null;
        double client = (Process.GetCurrentProcess().TotalProcessorTime - _client).TotalSeconds / wall * 100;
        double? machine = _machine is { } m0 && MachineTicks() is { } m1 && m1.Total > m0.Total
            ? 100.0 * (m1.Busy - m0.Busy) / (m1.Total - m0.Total)
            : null;
        double? wait = _nodePid is { } p && _nodeWaitNs is { } w0 && RunQueueWaitNs(p) is { } w1
            ? (w1 - w0) / 1e9 / wall * 100
            : null;
        return new CpuUse(node, wait, client, machine);
    }

    /// <summary>The summed CPU time (user + system) of these processes so far, in seconds; null if any is unreadable or none is given.</summary>
    public static double? ProcessCpuSeconds(IEnumerable<int> pids)
    {
        long total = 0;
        int count = 0;
        foreach (int pid in pids)
        {
            if (ProcessTicks(pid) is not { } ticks)
                return null;
            total += ticks;
            count++;
        }
        return count == 0 ? null : total / ClockTicksPerSecond;
    }

    private static long? ProcessTicks(int pid)
    {
        try
        {
            // Fields after the command name (which may contain spaces) start at field 3 (state); utime and stime
            // are fields 14 and 15.
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11]) + long.Parse(fields[12]);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long? RunQueueWaitNs(int pid)
    {
        try
        {
            long sum = 0;
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    // schedstat: time on CPU (ns), time waiting on a run queue (ns), timeslices run
                    sum += long.Parse(File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ')[1]);
                }
                catch (IOException)
                {
                    // the thread ended meanwhile
                }
            }
            return sum;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static (long Busy, long Total)? MachineTicks()
    {
        try
        {
            // cpu  user nice system idle iowait irq softirq steal guest guest_nice
            var first = File.ReadLines("/proc/stat").First();
            var values = first.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(long.Parse).ToArray();
            long total = values.Sum();
            long idle = values[3] + values[4];
            return (total - idle, total);
        }
        catch (IOException)
        {
            return null;
        }
    }
}

/// <summary>
/// CPU use over a run: node, node's run-queue wait and client in % of one core (of wall time), machine busy in %
/// of all cores.
/// </summary>
public sealed record CpuUse(double? NodePercent, double? NodeWaitPercent, double ClientPercent, double? MachineBusyPercent);
