using ActorBroker.Tests.Shared;

namespace ActorBroker.Storage.Tests;

/// <summary>
/// After a flush the log releases the page cache of flushed bytes behind its newest PageCacheKeepBytes
/// (<see cref="PartitionLog.PageCacheKeepBytes"/>). Checked with mincore(2) on the segment files.
/// </summary>
public sealed class PageCacheReleaseTests : IDisposable
{
    private const long Keep = 256 * 1024;
    private readonly LogBuilder _builder = new();

    public void Dispose() => _builder.Dispose();

    private PartitionLog KeepingCached(long bytes)
    {
        var log = _builder.Open();
        log.PageCacheKeepBytes = bytes;
        return log;
    }

    private static PartitionLog AppendMegabytes(PartitionLog log, int megabytes) => AppendBatches(log, megabytes * 16);

    private static PartitionLog AppendBatches(PartitionLog log, int count)
    {
        for (int i = 0; i < count; i++)
            log.Append(BatchBuilder.Build(16, valueSize: 4000), leaderEpoch: 0); // ~64 KiB per batch
        return log;
    }

    /// <summary>
    /// The release is advice: the kernel drops clean pages but may keep the odd one it is still handling (a page in
    /// another CPU's LRU batch), so "released" means at most 1 % of a range's pages are left cached.
    /// </summary>
    private static void AssertReleased(bool[] pages, long from, long to)
    {
        int cached = PageResidency.CachedPagesWithin(pages, from, to), all = PageResidency.PagesWithin(from, to);
        Assert.True(all > 0 && cached <= all / 100, $"{cached} of {all} pages in [{from}, {to}) are still cached");
    }

    [Fact]
    public void A_flush_releases_the_cached_pages_of_flushed_bytes_older_than_the_newest_keep_bytes_and_they_still_read_back()
    {
        using var log = AppendMegabytes(KeepingCached(Keep), 4);
        var before = log.Read(0, int.MaxValue, minOneBatch: true).Records.ToArray();
        long size = log.Segments[0].SizeInBytes;
        Assert.Equal(PageResidency.PagesWithin(0, size), PageResidency.CachedPagesWithin(PageResidency.Of(_builder.LogFiles()[0]), 0, size));

        log.Flush();

        var pages = PageResidency.Of(_builder.LogFiles()[0]);
        AssertReleased(pages, 0, size - Keep);
        Assert.Equal(PageResidency.PagesWithin(size - Keep, size), PageResidency.CachedPagesWithin(pages, size - Keep, size));
        Assert.Equal(before, log.Read(0, int.MaxValue, minOneBatch: true).Records.ToArray());
    }

    [Fact]
    public async Task A_background_flush_releases_whole_older_segments_and_keeps_the_newest_bytes_across_a_segment_boundary()
    {
        _builder.Config = LogConfig.Default with { SegmentBytes = 1024 * 1024 };
        using var log = AppendBatches(KeepingCached(Keep), 3 * 16 + 2); // three full segments of 16 batches, two in the active one
        var segments = log.Segments;
        Assert.True(segments.Count >= 3, $"{segments.Count} segments");
        long activeSize = segments[^1].SizeInBytes;
        Assert.True(activeSize < Keep, $"the active segment holds {activeSize} bytes, less than the kept {Keep}: the rest is kept in the one before");

        await log.FlushInBackground(highWatermark: log.LogEndOffset);

        var files = _builder.LogFiles();
        for (int i = 0; i < segments.Count - 2; i++)
            AssertReleased(PageResidency.Of(files[i]), 0, segments[i].SizeInBytes);
        long previousSize = segments[^2].SizeInBytes, keptThere = Keep - activeSize;
        var previous = PageResidency.Of(files[^2]);
        AssertReleased(previous, 0, previousSize - keptThere);
        Assert.Equal(PageResidency.PagesWithin(previousSize - keptThere, previousSize), PageResidency.CachedPagesWithin(previous, previousSize - keptThere, previousSize));
        Assert.Equal(PageResidency.PagesWithin(0, activeSize), PageResidency.CachedPagesWithin(PageResidency.Of(files[^1]), 0, activeSize));
    }

    [Fact]
    public void Bytes_appended_after_a_flush_stay_cached_until_a_flush_covers_them()
    {
        using var log = AppendMegabytes(KeepingCached(0), 1);
        log.Flush();
        long flushed = log.Segments[0].SizeInBytes;
        AppendMegabytes(log, 1);
        long size = log.Segments[0].SizeInBytes;

        log.Flush();
        log.Flush(); // nothing new: releases nothing twice, and nothing unflushed was ever released
        AssertReleased(PageResidency.Of(_builder.LogFiles()[0]), 0, size);
        AppendMegabytes(log, 1);
        var pages = PageResidency.Of(_builder.LogFiles()[0]);
        long end = log.Segments[0].SizeInBytes;
        Assert.Equal(PageResidency.PagesWithin(size, end), PageResidency.CachedPagesWithin(pages, size, end));
        Assert.True(flushed < size);
    }

    [Fact]
    public void A_flush_after_every_append_still_releases_everything_behind_the_keep_including_folios_that_straddled_an_earlier_boundary()
    {
        using var log = KeepingCached(Keep);
        for (int i = 0; i < 48; i++)
        {
            AppendBatches(log, 1);
            log.Flush(); // as flush.messages=1 does
        }
        long size = log.Segments[0].SizeInBytes;
        AssertReleased(PageResidency.Of(_builder.LogFiles()[0]), 0, size - Keep - 64 * 1024); // a folio may straddle the last boundary
    }

    [Fact]
    public void By_default_a_log_keeps_everything_and_a_flush_leaves_the_page_cache_alone()
    {
        using var log = AppendMegabytes(_builder.Open(), 2);
        Assert.Equal(long.MaxValue, log.PageCacheKeepBytes);
        log.Flush();
        long size = log.Segments[0].SizeInBytes;
        Assert.Equal(PageResidency.PagesWithin(0, size), PageResidency.CachedPagesWithin(PageResidency.Of(_builder.LogFiles()[0]), 0, size));
    }
}
