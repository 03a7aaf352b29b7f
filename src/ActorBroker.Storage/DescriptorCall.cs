using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ActorBroker.Storage;

/// <summary>What became of a libc call on a file's descriptor (<see cref="DescriptorCall.Invoke"/>).</summary>
internal enum DescriptorCallOutcome
{
    /// <summary>The call ran; see its result and errno.</summary>
    Ran,
    /// <summary>The handle was closed before the call (retention, cleaning, shutdown): nothing ran.</summary>
    Closed,
    /// <summary>This libc lacks the function: nothing ran, and nothing will.</summary>
    Missing,
}

/// <summary>
/// Runs a libc call with a file handle's descriptor, holding a reference on the handle so that it cannot close (and
/// its number go to another file) during the call. Used for the calls .NET has no API for: fadvise, fallocate, syncfs.
/// </summary>
internal static class DescriptorCall
{
    /// <param name="call">Gets the descriptor; returns the libc result (declare the import with SetLastError).</param>
    public static (DescriptorCallOutcome Outcome, int Result, int Errno) Invoke(SafeFileHandle file, Func<int, int> call)
    {
        bool added = false;
        try
        {
            file.DangerousAddRef(ref added);
            int result = call((int)file.DangerousGetHandle());
            return (DescriptorCallOutcome.Ran, result, result == 0 ? 0 : Marshal.GetLastPInvokeError());
        }
        catch (ObjectDisposedException)
        {
            return (DescriptorCallOutcome.Closed, -1, 0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return (DescriptorCallOutcome.Missing, -1, 0);
        }
        finally
        {
            if (added)
                file.DangerousRelease();
        }
    }
}
