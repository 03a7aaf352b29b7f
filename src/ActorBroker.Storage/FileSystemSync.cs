using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ActorBroker.Storage;

/// <summary>Linux <c>syncfs(2)</c>: writes back everything dirty on one file system and commits its journal once.</summary>
internal static partial class FileSystemSync
{
    /// <summary>Syncs the file system holding <paramref name="file"/>; false where there is no syncfs or it failed
    /// (then the caller's own fsyncs do the whole work).</summary>
    public static bool TrySyncFileSystemOf(SafeFileHandle file)
    {
        if (!OperatingSystem.IsLinux())
            return false;
        // false when closed meanwhile (its owner no longer needs it synced) or without syncfs in libc (the fsyncs
        // alone make the files durable)
        return DescriptorCall.Invoke(file, syncfs) is (DescriptorCallOutcome.Ran, 0, _);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int syncfs(int fd);
}
