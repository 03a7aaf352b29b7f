using System.Runtime.InteropServices;

namespace ActorBroker.Tests.Shared;

/// <summary>Which pages of a file are in the page cache: mmap(2) the file and ask mincore(2). Linux only.</summary>
internal static partial class PageResidency
{
    private const int PageSize = 4096;

    /// <summary>One flag per page of <paramref name="path"/>: true where the page is cached.</summary>
    public static bool[] Of(string path)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        long length = RandomAccess.GetLength(file);
        if (length == 0)
            return [];
        nint address = mmap(0, (nuint)length, ProtRead, MapShared, (int)file.DangerousGetHandle(), 0);
        if (address == -1)
            throw new IOException($"mmap of {path} failed: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            var flags = new byte[(length + PageSize - 1) / PageSize];
            if (mincore(address, (nuint)length, flags) != 0)
                throw new IOException($"mincore of {path} failed: errno {Marshal.GetLastPInvokeError()}");
            return Array.ConvertAll(flags, f => (f & 1) != 0);
        }
        finally
        {
            munmap(address, (nuint)length);
        }
    }

    /// <summary>Cached pages among those wholly inside [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public static int CachedPagesWithin(bool[] pages, long from, long to)
    {
        int first = (int)((from + PageSize - 1) / PageSize), end = (int)(to / PageSize);
        return pages.Skip(first).Take(Math.Max(0, end - first)).Count(cached => cached);
    }

    /// <summary>Pages wholly inside [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public static int PagesWithin(long from, long to) => (int)Math.Max(0, to / PageSize - (from + PageSize - 1) / PageSize);

    private const int ProtRead = 1, MapShared = 1;

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint mmap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int mincore(nint address, nuint length, [Out] byte[] residency);

    [LibraryImport("libc")]
    private static partial int munmap(nint address, nuint length);
}
