using System.Buffers.Binary;

namespace ActorBroker.Storage.Tests;

public sealed class OffsetIndexTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("actorbroker-index-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void Lookup_returns_the_greatest_entry_at_or_below_the_target()
    {
        using var index = OffsetIndex.Create(Path.Combine(_dir, "x.index"), 100, 10);
        Assert.Equal((100L, 0), index.Lookup(150));
        index.Append(110, 80);
        index.Append(120, 160);
        index.Append(130, 240);
        Assert.Equal((100L, 0), index.Lookup(105));
        Assert.Equal((110L, 80), index.Lookup(110));
        Assert.Equal((120L, 160), index.Lookup(129));
        Assert.Equal((130L, 240), index.Lookup(10_000));
        Assert.Equal((100L, 0), index.Lookup(5));
    }

    [Fact]
    public void Entries_are_written_as_big_endian_relative_offset_and_position()
    {
        string path = Path.Combine(_dir, "y.index");
        using (var index = OffsetIndex.Create(path, 1000, 10))
        {
            index.Append(1005, 300);
            index.Append(1010, 700);
        }
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(16, bytes.Length);
        Assert.Equal((5, 300), (BinaryPrimitives.ReadInt32BigEndian(bytes), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4))));
        Assert.Equal((10, 700), (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(12))));

        using var loaded = OffsetIndex.Load(path, 1000, 10, logLength: 800);
        Assert.Equal(2, loaded.Count);
        Assert.Equal((1005L, 300), loaded.Lookup(1009));
    }

    [Fact]
    public void Truncate_drops_entries_at_or_after_the_offset_and_shrinks_the_file()
    {
        string path = Path.Combine(_dir, "t.index");
        using var index = OffsetIndex.Create(path, 0, 10);
        index.Append(5, 100);
        index.Append(9, 200);
        index.Append(14, 300);
        index.TruncateTo(9);
        Assert.Equal(1, index.Count);
        Assert.Equal(8, new FileInfo(path).Length);
        Assert.Equal((5L, 100), index.Lookup(20));
    }

    [Fact]
    public void Full_index_refuses_more_entries()
    {
        using var index = OffsetIndex.Create(Path.Combine(_dir, "f.index"), 0, 1);
        index.Append(1, 10);
        Assert.True(index.IsFull);
        Assert.Throws<InvalidOperationException>(() => index.Append(2, 20));
    }

    [Fact]
    public void Load_rejects_a_file_whose_size_is_not_a_multiple_of_8()
    {
        string path = Path.Combine(_dir, "odd.index");
        File.WriteAllBytes(path, new byte[7]);
        Assert.Throws<CorruptIndexException>(() => OffsetIndex.Load(path, 0, 10, 1000));
    }

    [Fact]
    public void Load_rejects_entries_that_do_not_increase_or_point_past_the_log()
    {
        string path = Path.Combine(_dir, "bad.index");
        var bytes = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 5);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), 100);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), 4);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), 200);
        File.WriteAllBytes(path, bytes);
        Assert.Throws<CorruptIndexException>(() => OffsetIndex.Load(path, 0, 10, 1000));

        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), 6);
        File.WriteAllBytes(path, bytes);
        Assert.Throws<CorruptIndexException>(() => OffsetIndex.Load(path, 0, 10, 150));
        using var ok = OffsetIndex.Load(path, 0, 10, 1000);
        Assert.Equal(2, ok.Count);
    }

    [Fact]
    public void Reads_with_a_tiny_index_interval_land_on_the_batch_for_every_offset()
    {
        using var builder = new LogBuilder(new LogConfig { IndexIntervalBytes = 1 });
        var counts = new[] { 3, 1, 7, 2, 5, 1, 1, 9 };
        using var log = builder.OpenWith(counts);
        Assert.Equal(counts.Length - 1, new FileInfo(builder.IndexFiles()[0]).Length / 8);

        long expectedBase = 0;
        foreach (int count in counts)
        {
            for (long offset = expectedBase; offset < expectedBase + count; offset++)
                Assert.Equal(expectedBase, BatchBuilder.Split(log.Read(offset, 1, true).Records).Single().BaseOffset);
            expectedBase += count;
        }
    }

    [Fact]
    public void An_entry_is_added_once_index_interval_bytes_have_been_written_since_the_last()
    {
        int size = BatchBuilder.Build(2).Length;
        using var builder = new LogBuilder(new LogConfig { IndexIntervalBytes = 2 * size });
        using var log = builder.OpenWith(2, 2, 2, 2, 2, 2);
        // bytes since last entry before each batch: 0, 1s, 2s→entry, 1s, 2s→entry, 1s
        var bytes = File.ReadAllBytes(builder.IndexFiles()[0]);
        Assert.Equal(16, bytes.Length);
        Assert.Equal((4, 2 * size), (BinaryPrimitives.ReadInt32BigEndian(bytes), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4))));
        Assert.Equal((8, 4 * size), (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(12))));
    }
}
