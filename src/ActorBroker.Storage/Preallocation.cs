using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ActorBroker.Storage;

/// <summary>
/// Linux <c>fallocate(FALLOC_FL_KEEP_SIZE)</c>: reserves a file's blocks ahead of its end without changing its size.
/// Buffered writes into reserved (unwritten) blocks skip ext4's per-page delayed-allocation bookkeeping.
/// </summary>
internal static partial class Preallocation
{
    private const int KeepSize = 1; // FALLOC_FL_KEEP_SIZE
    private const int NotSupported = 95; // EOPNOTSUPP: the file system cannot reserve blocks

    private static bool _unavailable = !OperatingSystem.IsLinux();

    /// <summary>
    /// Reserves [<paramref name="from"/>, <paramref name="to"/>) of <paramref name="file"/>; false when nothing was
    /// reserved (no support, a full disk: the writes then allocate as they go, as without it).
    /// </summary>
    public static bool Reserve(SafeFileHandle file, long from, long to)
    {
        if (_unavailable || to <= from)
            return false;
        var (outcome, result, errno) = DescriptorCall.Invoke(file, fd => fallocate(fd, KeepSize, from, to - from));
        if (outcome == DescriptorCallOutcome.Missing || errno == NotSupported)
            _unavailable = true;
        return outcome == DescriptorCallOutcome.Ran && result == 0;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fallocate(int fd, int mode, long offset, long length);
}
