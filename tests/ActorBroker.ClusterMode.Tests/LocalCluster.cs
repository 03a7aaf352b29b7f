using System.Text.RegularExpressions;
using ActorBroker.TestKit;

namespace ActorBroker.ClusterMode.Tests;

/// <summary>
/// A three-node cluster started by scripts/cluster.sh, the very script users run, so the tests prove it too: its
/// own PostgreSQL server, nodes on 127.0.0.1–3, and free ports (KAFKA_PORT, AKKA_PORT, PG_PORT) so it never collides
/// with a cluster or node someone else runs on this machine. Everything lives in a temporary CLUSTER_DIR, removed on
/// dispose after `cluster.sh stop` (ACTORBROKER_KEEP_TEST_DATA=1 keeps it). Failures carry the nodes' log tails.
/// </summary>
public sealed partial class LocalCluster : IAsyncLifetime
{
    public const int Size = 3;
    private static readonly string Script = Path.Combine(RepoPaths.Root, "scripts", "cluster.sh");
    private readonly Dictionary<string, string> _environment;

    public LocalCluster()
    {
        Directory = Path.Combine(Path.GetTempPath(), "actorbroker-tests", "cluster-" + Guid.NewGuid().ToString("N")[..12]);
        KafkaPort = FreePort.Next();
        int akkaPort = FreePort.Next();
        _environment = new Dictionary<string, string>
        {
            ["CLUSTER_DIR"] = Directory,
            ["KAFKA_PORT"] = KafkaPort.ToString(),
            ["AKKA_PORT"] = akkaPort.ToString(),
            ["PG_PORT"] = FreePort.Next().ToString(),
            ["PG_OPTIONS"] = "-c fsync=off -c synchronous_commit=off",
            ["ACTORBROKER_POSTGRES"] = "",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };
    }

    public string Directory { get; }

    public int KafkaPort { get; }

    /// <summary>How many nodes were started: <see cref="Size"/>, plus those <see cref="AddNodeAsync"/> added.</summary>
    public int Nodes { get; private set; } = Size;

    /// <summary>Starts one more node (`cluster.sh add`), node <see cref="Nodes"/> + 1; returns its number.</summary>
    public async Task<int> AddNodeAsync()
    {
        await RunAsync(TimeSpan.FromMinutes(4), "add");
        return ++Nodes;
    }

    /// <summary>The last line `cluster.sh start` printed.</summary>
    public string StartOutput { get; private set; } = "";

    public string Host(int node) => $"127.0.0.{node}";

    public string Bootstrap(int node) => $"{Host(node)}:{KafkaPort}";

    public string BootstrapList => string.Join(",", Enumerable.Range(1, Size).Select(Bootstrap));

    public async Task InitializeAsync()
    {
        var result = await RunAsync(TimeSpan.FromMinutes(4), "start", Size.ToString());
        StartOutput = result.Stdout.TrimEnd().Split('\n')[^1];
    }

    /// <summary>Runs `scripts/cluster.sh ARGS` and fails with its output and the node logs unless it exits 0.</summary>
    public async Task<CommandResult> RunAsync(TimeSpan timeout, params string[] args)
    {
        var result = await ExternalCommand.RunAsync("bash", [Script, .. args], timeout: timeout, environment: _environment);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"{result.Description} exited {result.ExitCode}.\n{result}\n{LogTails()}");
        return result;
    }

    /// <summary>`actorbroker cluster status` through node <paramref name="node"/>.</summary>
    public Task<CommandResult> StatusAsync(int node) =>
        ExternalCommand.RunAsync("dotnet", [RepoPaths.NodeDll, "cluster", "status", "--bootstrap", Bootstrap(node)], timeout: TimeSpan.FromSeconds(60));

    /// <summary>Polls `cluster status` through <paramref name="node"/> until its summary line is <paramref name="summary"/>.</summary>
    public async Task<string> WaitForStatusAsync(int node, string summary, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            var result = await StatusAsync(node);
            last = result.ExitCode == 0 ? result.Stdout : result.ToString();
            if (result.ExitCode == 0 && SummaryLine().Match(result.Stdout) is { Success: true } m && m.Value.Trim() == summary)
                return result.Stdout;
            await Task.Delay(500);
        }
        throw new TimeoutException($"cluster status through node {node} did not reach '{summary}' within {timeout}; last:\n{last}\n{LogTails()}");
    }

    public string NodeLog(int node)
    {
        string path = Path.Combine(Directory, $"node{node}.log");
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    public string LogTails() => string.Join("\n", Enumerable.Range(1, Nodes).Select(i =>
    {
        var lines = NodeLog(i).Split('\n');
        return $"--- node{i}.log (last 40 lines) ---\n{string.Join("\n", lines[Math.Max(0, lines.Length - 40)..])}";
    }));

    public async Task DisposeAsync()
    {
        try
        {
            await ExternalCommand.RunAsync("bash", [Script, "stop"], timeout: TimeSpan.FromMinutes(2), environment: _environment);
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("ACTORBROKER_KEEP_TEST_DATA") is null or "" or "0")
            {
                try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }

    [GeneratedRegex(@"^\d+ member\(s\): .*$", RegexOptions.Multiline)]
    private static partial Regex SummaryLine();
}
