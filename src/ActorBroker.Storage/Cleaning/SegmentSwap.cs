namespace ActorBroker.Storage.Cleaning;

/// <summary>
/// The file protocol that replaces a segment by its cleaned copy so that a crash at any point leaves a valid log.
///
/// <para><b>Files</b>: the cleaner writes segment <c>B</c>'s replacement as <c>B.log.cleaned</c>,
/// <c>B.index.cleaned</c>, <c>B.timeindex.cleaned</c> (fsynced). Then, on the log's writer thread:
/// (1) <see cref="Commit"/> renames the two indexes to <c>.swap</c> and then <c>B.log.cleaned</c> to <c>B.log.swap</c> —
/// that last rename is the commit point; (2) <see cref="Replace"/> renames each index <c>.swap</c> over the old index,
/// then <c>B.log.swap</c> over <c>B.log</c> (rename over an existing file is atomic on POSIX file systems).</para>
///
/// <para><b>Recovery</b> (<see cref="RecoverLeftovers"/>, at <see cref="PartitionLog.Open"/>): a segment with a
/// <c>B.log.swap</c> was committed, so the swap is completed — an index without its own <c>.swap</c> is deleted (the
/// old one cannot describe the new .log) and rebuilt by the normal index recovery; every other <c>.cleaned</c> or
/// <c>.swap</c> file belongs to an uncommitted clean and is deleted, leaving the old segment. Either way each segment
/// is a whole valid segment with the same offsets. The cleaner commits segments in ascending base-offset order, so a
/// crash between two commits leaves the earlier segments cleaned and the later ones not — never a later segment
/// without its tombstones while an earlier one still holds the values they deleted.</para>
///
/// <para>Worked example: segments 0 and 100 were cleaned; the process died after committing 0 and while renaming
/// <c>100.index.cleaned</c>. On disk: <c>0.log.swap</c>, <c>0.index.swap</c>, <c>0.timeindex.swap</c>,
/// <c>100.index.swap</c>, <c>100.log.cleaned</c>, <c>100.timeindex.cleaned</c>. Recovery moves the three 0 files over
/// the old ones and deletes the three 100 files: segment 0 is cleaned, segment 100 as before the clean.</para>
///
/// <para><b>Thread-safety</b>: none; the partition's writer thread (or <see cref="PartitionLog.Open"/>) calls it.</para>
/// </summary>
internal static class SegmentSwap
{
    public const string CleanedSuffix = ".cleaned";
    public const string SwapSuffix = ".swap";
    private static readonly string[] IndexExtensions = [LogSegment.IndexExtension, LogSegment.TimeIndexExtension];

    /// <summary>Step 1: renames the cleaned files of segment <paramref name="baseOffset"/> to <c>.swap</c>, the .log last (the commit point).</summary>
    public static void Commit(string directory, long baseOffset)
    {
        foreach (string extension in IndexExtensions)
            Rename(Path(directory, baseOffset, extension, CleanedSuffix), Path(directory, baseOffset, extension, SwapSuffix));
        Rename(Path(directory, baseOffset, LogSegment.LogExtension, CleanedSuffix), Path(directory, baseOffset, LogSegment.LogExtension, SwapSuffix));
    }

    /// <summary>Step 2: moves a committed segment's <c>.swap</c> files over the old ones, indexes first, the .log last; an index with no <c>.swap</c> is deleted.</summary>
    public static void Replace(string directory, long baseOffset)
    {
        foreach (string extension in IndexExtensions)
        {
            string swap = Path(directory, baseOffset, extension, SwapSuffix);
            string final = Path(directory, baseOffset, extension, "");
            if (File.Exists(swap))
                File.Move(swap, final, overwrite: true);
            else
                File.Delete(final);
        }
        File.Move(Path(directory, baseOffset, LogSegment.LogExtension, SwapSuffix), Path(directory, baseOffset, LogSegment.LogExtension, ""), overwrite: true);
        foreach (string extension in IndexExtensions)
            File.Delete(Path(directory, baseOffset, extension, CleanedSuffix));
    }

    /// <summary>Deletes every <c>.cleaned</c> and <c>.swap</c> file of segment <paramref name="baseOffset"/> (an abandoned clean); nothing if the directory is gone (the partition was deleted).</summary>
    public static void Discard(string directory, long baseOffset)
    {
        if (!Directory.Exists(directory))
            return;
        foreach (string extension in new[] { LogSegment.LogExtension, LogSegment.IndexExtension, LogSegment.TimeIndexExtension })
        {
            File.Delete(Path(directory, baseOffset, extension, CleanedSuffix));
            File.Delete(Path(directory, baseOffset, extension, SwapSuffix));
        }
    }

    /// <summary>Completes every committed swap and deletes the files of uncommitted ones, noting each.</summary>
    public static void RecoverLeftovers(string directory, ICollection<string> notes)
    {
        string committedSuffix = LogSegment.LogExtension + SwapSuffix;
        foreach (string path in Directory.GetFiles(directory, "*" + committedSuffix))
        {
            if (!LogSegment.TryParseFileName(System.IO.Path.GetFileName(path)[..^SwapSuffix.Length], LogSegment.LogExtension, out long baseOffset))
                continue;
            Replace(directory, baseOffset);
            notes.Add($"Completed the swap of cleaned segment {path} (the cleaner had committed it before the process stopped).");
        }
        foreach (string suffix in new[] { CleanedSuffix, SwapSuffix })
        {
            foreach (string path in Directory.GetFiles(directory, "*" + suffix))
            {
                File.Delete(path);
                notes.Add($"Deleted {path}: left by a clean that had not committed.");
            }
        }
    }

    private static string Path(string directory, long baseOffset, string extension, string suffix) =>
        System.IO.Path.Combine(directory, LogSegment.FileName(baseOffset, extension) + suffix);

    private static void Rename(string from, string to) => File.Move(from, to, overwrite: true);
}
