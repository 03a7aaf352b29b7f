using System.Diagnostics;

namespace ActorBroker.Storage.Tests;

/// <summary>
/// An active segment reserves its file's blocks ahead of its end (fallocate, size unchanged) and gives back what it
/// did not use when it rolls or truncates. Allocation is read with stat(1).
/// </summary>
public sealed class PreallocationTests : IDisposable
{
    private const int BlockSize = 4096;
    private readonly LogBuilder _builder = new();

    public void Dispose() => _builder.Dispose();

    private static long AllocatedBytes(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%b %B", path]) { RedirectStandardOutput = true })!;
        string[] parts = stat.StandardOutput.ReadToEnd().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        stat.WaitForExit();
        return long.Parse(parts[0]) * long.Parse(parts[1]);
    }

    private static long RoundedUp(long bytes) => (bytes + BlockSize - 1) / BlockSize * BlockSize;

    [Fact]
    public void An_active_segment_reserves_blocks_ahead_of_its_end_without_changing_its_size()
    {
        using var log = _builder.OpenWith(4);
        string file = _builder.LogFiles()[0];

        Assert.Equal(log.Segments[0].SizeInBytes, new FileInfo(file).Length);
        Assert.True(AllocatedBytes(file) >= LogSegment.ReserveAhead, $"{AllocatedBytes(file)} bytes allocated");
        Assert.Equal(log.Segments[0].SizeInBytes, log.Read(0, int.MaxValue, minOneBatch: true).Records.Length);
    }

    [Fact]
    public void A_rolled_segment_gives_back_the_blocks_it_did_not_use()
    {
        _builder.Config = new LogConfig { SegmentBytes = 1024 * 1024 };
        using var log = _builder.Open();
        while (log.Segments.Count < 2)
            log.Append(BatchBuilder.Build(16, valueSize: 4000), leaderEpoch: 0);

        string sealedFile = _builder.LogFiles()[0];
        Assert.Equal(RoundedUp(new FileInfo(sealedFile).Length), AllocatedBytes(sealedFile));
        Assert.True(AllocatedBytes(_builder.LogFiles()[1]) > RoundedUp(new FileInfo(_builder.LogFiles()[1]).Length));
    }

    [Fact]
    public void A_truncation_gives_back_the_reserved_blocks_and_the_next_append_reserves_again()
    {
        using var log = _builder.OpenWith(4, 4, 4);
        string file = _builder.LogFiles()[0];

        log.TruncateTo(4);
        Assert.Equal(RoundedUp(new FileInfo(file).Length), AllocatedBytes(file));

        log.Append(BatchBuilder.Build(4), leaderEpoch: 0);
        Assert.True(AllocatedBytes(file) >= LogSegment.ReserveAhead);
        Assert.Equal(8, log.LogEndOffset);
    }
}
