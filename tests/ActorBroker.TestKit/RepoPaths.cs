using System.Reflection;

namespace ActorBroker.TestKit;

/// <summary>Locates the repository and the build outputs the tests run.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The directory holding ActorBroker.sln, found by walking up from the test binaries.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>The build configuration these test binaries were built with (Debug or Release).</summary>
    public static string Configuration =>
        typeof(RepoPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>
    /// The node executable, <c>src/ActorBroker.Node/bin/&lt;Configuration&gt;/net10.0/actorbroker.dll</c>.
    /// The environment variable <c>ACTORBROKER_NODE_DLL</c> overrides it.
    /// </summary>
    public static string NodeDll
    {
        get
        {
            var overridden = Environment.GetEnvironmentVariable("ACTORBROKER_NODE_DLL");
            if (!string.IsNullOrEmpty(overridden))
                return overridden;
            return Path.Combine(Root, "src", "ActorBroker.Node", "bin", Configuration, "net10.0", "actorbroker.dll");
        }
    }

    private static string FindRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ActorBroker.sln")))
                    return dir.FullName;
            }
        }

        throw new InvalidOperationException(
            $"ActorBroker.sln not found above {AppContext.BaseDirectory} or {Directory.GetCurrentDirectory()}.");
    }
}
