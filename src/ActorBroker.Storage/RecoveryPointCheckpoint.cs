using System.Globalization;
using System.Text;

namespace ActorBroker.Storage;

/// <summary>
/// The <c>recovery-point</c> file of a partition directory: every offset below the recorded one is fsynced, so
/// <see cref="PartitionLog.Open"/> validates only the segments holding offsets at or after it.
///
/// <para><b>File format</b> (ASCII, like Kafka's checkpoint files): line 1 the format version <c>0</c>, line 2 the
/// offset in decimal, each line ending in '\n'. Example: <c>"0\n1042\n"</c>.</para>
///
/// <para><b>Invariants</b>: written atomically — to <c>recovery-point.tmp</c>, fsynced, then renamed over the old
/// file — so a crash leaves either the old or the new value, never a torn one. (The directory itself is not
/// fsynced: .NET offers no portable way to; after a crash the rename may be lost, which only means recovering
/// from an older, smaller point.) A missing or unreadable file counts as offset 0: everything is validated.</para>
///
/// <para><b>Thread-safety</b>: none needed; only the partition's writer thread reads or writes it.</para>
/// </summary>
internal static class RecoveryPointCheckpoint
{
    public const string FileName = "recovery-point";
    private const string TempSuffix = ".tmp";

    public static long? Read(string directory, ICollection<string> notes)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
            return null;
        string[] lines;
        try
        {
            lines = File.ReadAllText(path, Encoding.ASCII).Split('\n');
        }
        catch (IOException e)
        {
            notes.Add($"Cannot read {path} ({e.Message}); validating every segment.");
            return null;
        }
        if (lines.Length >= 2 && lines[0] == "0"
            && long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out long offset))
            return offset;
        notes.Add($"Unreadable recovery-point file {path}; validating every segment.");
        return null;
    }

    public static void Write(string directory, long offset)
    {
        string path = Path.Combine(directory, FileName);
        string temp = path + TempSuffix;
        byte[] bytes = Encoding.ASCII.GetBytes($"0\n{offset.ToString(CultureInfo.InvariantCulture)}\n");
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Removes a temp file left by a crash during <see cref="Write"/>.</summary>
    public static void DeleteLeftovers(string directory)
    {
        string temp = Path.Combine(directory, FileName + TempSuffix);
        if (File.Exists(temp))
            File.Delete(temp);
    }
}
