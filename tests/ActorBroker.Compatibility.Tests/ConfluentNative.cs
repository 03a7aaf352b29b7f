using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace ActorBroker.Compatibility.Tests;

/// <summary>
/// Makes Confluent.Kafka use the librdkafka bundled in its NuGet package (librdkafka.redist, the version the
/// package was released with) instead of whatever the OS has. The bundled generic <c>librdkafka.so</c> needs
/// libsasl2.so.3, which Debian 12 lacks, and .NET then silently falls back to the system librdkafka (2.0.2);
/// <c>centos8-librdkafka.so</c> is self-contained. <c>Library.Load(path)</c> is not enough on Linux: it dlopens the
/// file but Confluent's P/Invokes still bind to "librdkafka" by name, so the resolver below maps that name.
/// Set ACTORBROKER_LIBRDKAFKA=system to test against the OS library instead.
/// </summary>
public static class ConfluentNative
{
    public const string BundledFileName = "centos8-librdkafka.so";

    private static string? _loadedFrom;

    /// <summary>Path of the library the resolver loaded, or null if the default probing was used.</summary>
    public static string? LoadedFrom => _loadedFrom;

    /// <summary>Whether tests should expect the bundled library (the default).</summary>
    public static bool UsesBundled => Environment.GetEnvironmentVariable("ACTORBROKER_LIBRDKAFKA") is not "system";

    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "Must run before any Confluent.Kafka call.")]
    internal static void Initialize()
    {
        if (!UsesBundled)
            return;
        NativeLibrary.SetDllImportResolver(typeof(Library).Assembly, Resolve);
    }

    /// <summary>The bundled library: next to the test binaries, else in the NuGet cache.</summary>
    public static string FindBundled()
    {
        var candidates = new List<string>
        {
            Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", BundledFileName),
        };
        var nugetRoot = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var redist = Path.Combine(nugetRoot, "librdkafka.redist");
        if (Directory.Exists(redist))
        {
            candidates.AddRange(Directory.GetDirectories(redist)
                .OrderByDescending(d => d, StringComparer.Ordinal)
                .Select(d => Path.Combine(d, "runtimes", "linux-x64", "native", BundledFileName)));
        }

        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"{BundledFileName} not found; looked in: {string.Join(", ", candidates)}");
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (!libraryName.Contains("rdkafka", StringComparison.OrdinalIgnoreCase))
            return IntPtr.Zero;
        var path = FindBundled();
        var handle = NativeLibrary.Load(path);
        _loadedFrom = path;
        return handle;
    }
}
