using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace ActorBroker.Storage;

/// <summary>
/// The <c>recovery-point</c> file of a partition directory: every offset below the recorded one is fsynced, so
/// <see cref="PartitionLog.Open"/> validates only the segments holding offsets at or after it.
///
/// <para><b>File format</b> (ASCII, like Kafka's checkpoint files): line 1 the format version <c>0</c>, line 2 the
/// offset in decimal, each line ending in '\n'. Example: <c>"0\n1042\n"</c>.</para>
///
/// <para><b>Invariants</b>: written atomically — to <c>recovery-point.tmp</c> (<c>recovery-point.flush.tmp</c> by
/// the timed flush), fsynced, then renamed over the old file — so a crash leaves either the old or the new value, never a torn one. (The directory itself is not
/// fsynced: .NET offers no portable way to; after a crash the rename may be lost, which only means recovering
/// from an older, smaller point.) A missing or unreadable file counts as offset 0: everything is validated.</para>
///
/// <para><b>Thread-safety</b>: none needed; only the partition's writer thread reads or writes it.</para>
/// </summary>
internal static class RecoveryPointCheckpoint
{
    public const string FileName = "recovery-point";

    public static long? Read(string directory, ICollection<string> notes) =>
        CheckpointFile.Read(directory, FileName, notes, "validating every segment");

    public static void Write(string directory, long offset) => CheckpointFile.Write(directory, FileName, offset);

    /// <summary>Removes a temp file left by a crash during <see cref="Write"/>.</summary>
    public static void DeleteLeftovers(string directory) => CheckpointFile.DeleteLeftovers(directory, FileName);
}

/// <summary>
/// The <c>log-start-offset</c> file of a partition directory: offsets below the recorded one were deleted
/// (<see cref="PartitionLog.ApplyRetention"/>, <see cref="PartitionLog.AdvanceLogStartOffset"/>) even when the
/// segment holding them is still on disk. <see cref="PartitionLog.LogStartOffset"/> after
/// <see cref="PartitionLog.Open"/> is the larger of this value and the first segment's base offset.
///
/// <para><b>File format</b>: as <see cref="RecoveryPointCheckpoint"/> — <c>"0\n&lt;offset&gt;\n"</c>, e.g.
/// <c>"0\n1042\n"</c>.</para>
///
/// <para><b>Invariants</b>: written atomically (temp file, fsync, rename) before any segment below the new value is
/// deleted, so after a crash the files below it may still exist but are never readable again. A missing or
/// unreadable file counts as "no checkpoint": the log starts at its first segment.</para>
///
/// <para><b>Thread-safety</b>: none needed; only the partition's writer thread reads or writes it.</para>
/// </summary>
internal static class LogStartOffsetCheckpoint
{
    public const string FileName = "log-start-offset";

    public static long? Read(string directory, ICollection<string> notes) =>
        CheckpointFile.Read(directory, FileName, notes, "the log starts at its first segment");

    public static void Write(string directory, long offset) => CheckpointFile.Write(directory, FileName, offset);

    /// <summary>Removes a temp file left by a crash during <see cref="Write"/>.</summary>
    public static void DeleteLeftovers(string directory) => CheckpointFile.DeleteLeftovers(directory, FileName);
}

/// <summary>
/// Reads and atomically writes a checkpoint file of one or more numbers (<c>"0\n&lt;value&gt;\n..."</c>, one per line
/// after the version line) via <c>&lt;name&gt;.tmp</c>, fsync and rename. Not thread-safe: one writer thread per directory.
/// </summary>
internal static class CheckpointFile
{
    private const string TempSuffix = ".tmp";
    private const string PreparedSuffix = ".flush.tmp";

    public static long? Read(string directory, string fileName, ICollection<string> notes, string fallback) =>
        ReadValues(directory, fileName, 1, notes, fallback)?[0];

    /// <summary>The first <paramref name="count"/> values, or null (with a note when the file exists but is unreadable).</summary>
    public static long[]? ReadValues(string directory, string fileName, int count, ICollection<string> notes, string fallback)
    {
        string path = Path.Combine(directory, fileName);
        if (!File.Exists(path))
            return null;
        string[] lines;
        try
        {
            lines = File.ReadAllText(path, Encoding.ASCII).Split('\n');
        }
        catch (IOException e)
        {
            notes.Add($"Cannot read {path} ({e.Message}); {fallback}.");
            return null;
        }
        var values = new long[count];
        bool valid = lines.Length >= count + 1 && lines[0] == "0";
        for (int i = 0; valid && i < count; i++)
            valid = long.TryParse(lines[i + 1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out values[i]);
        if (valid)
            return values;
        notes.Add($"Unreadable {fileName} file {path}; {fallback}.");
        return null;
    }

    public static void Write(string directory, string fileName, params long[] values)
    {
        string path = Path.Combine(directory, fileName);
        string temp = path + TempSuffix;
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None))
        {
            stream.Write(Serialize(values));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>
    /// Writes the checkpoint to a temp file of its own (not the one <see cref="Write"/> uses) without fsyncing or
    /// renaming it: the timed flush fsyncs it in a <see cref="GroupSync"/> round, then commits or abandons it.
    /// </summary>
    public static PreparedCheckpoint Prepare(string directory, string fileName, long value)
    {
        string path = Path.Combine(directory, fileName);
        string temp = path + PreparedSuffix;
        var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write);
        try
        {
            RandomAccess.Write(handle, Serialize([value]), 0);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
        return new PreparedCheckpoint(path, temp, handle, value);
    }

    private static byte[] Serialize(long[] values)
    {
        var text = new StringBuilder("0\n");
        foreach (long value in values)
            text.Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    public static void DeleteLeftovers(string directory, string fileName)
    {
        foreach (string suffix in new[] { TempSuffix, PreparedSuffix })
        {
            string temp = Path.Combine(directory, fileName + suffix);
            if (File.Exists(temp))
                File.Delete(temp);
        }
    }
}

/// <summary>A checkpoint in its temp file, not yet durable nor in place (<see cref="CheckpointFile.Prepare"/>).</summary>
internal sealed class PreparedCheckpoint(string path, string temp, SafeFileHandle handle, long value)
{
    public long Value => value;

    public void Sync() => RandomAccess.FlushToDisk(handle);

    /// <summary>Puts the synced temp file in place of the checkpoint.</summary>
    public void Commit()
    {
        handle.Dispose();
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Drops it: something newer was written meanwhile, or the log was truncated or closed.</summary>
    public void Abandon()
    {
        handle.Dispose();
        try
        {
            File.Delete(temp);
        }
        catch (IOException)
        {
            // the partition directory is being deleted: nothing to tidy
        }
    }
}
