using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ActorBroker.Storage;

/// <summary>Linux <c>posix_fadvise(POSIX_FADV_DONTNEED)</c>: lets the kernel drop a file range's clean page-cache pages.</summary>
internal static partial class PageCache
{
    private const int DontNeed = 4; // POSIX_FADV_DONTNEED on Linux

    /// <summary>The largest folio (run of pages cached as one) Linux puts in a file's page cache: a PMD, 2 MiB.</summary>
    public const long LargestFolio = 2 * 1024 * 1024;

    private static bool _unavailable = !OperatingSystem.IsLinux();

    /// <summary>
    /// Advises that the pages of [<paramref name="from"/>, <paramref name="to"/>) of <paramref name="file"/> are not
    /// needed. The kernel drops the clean ones and keeps dirty ones (it starts writing those back), so nothing is lost
    /// whatever the range; a read of a dropped page goes to the disk. A file closed meanwhile is skipped.
    /// </summary>
    public static void Release(SafeFileHandle file, long from, long to)
    {
        if (_unavailable || to <= from)
            return;
        // A file closed meanwhile (retention, cleaning, shutdown) leaves its pages to the kernel; a libc without the
        // call leaves pages cached until the kernel evicts them.
        var (outcome, _, _) = DescriptorCall.Invoke(file, fd => posix_fadvise(fd, from, to - from, DontNeed));
        if (outcome == DescriptorCallOutcome.Missing)
            _unavailable = true;
    }

    [LibraryImport("libc")]
    private static partial int posix_fadvise(int fd, long offset, long length, int advice);
}
