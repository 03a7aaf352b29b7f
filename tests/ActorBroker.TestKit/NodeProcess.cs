using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace ActorBroker.TestKit;

/// <summary>How a <see cref="NodeProcess"/> is started.</summary>
public sealed record NodeOptions
{
    /// <summary>Kafka port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Akka remoting port on <see cref="AkkaHost"/>; 0 lets the node pick one (then no client can join it).
    /// Cluster members and client proxies need a fixed port: pass <see cref="FreePort.Next"/>.</summary>
    public int AkkaPort { get; init; }

    /// <summary>Akka remoting host (--akka-host); null keeps the reference config's 127.0.0.1.</summary>
    public string? AkkaHost { get; init; }

    /// <summary>Extra HOCON written to a file and passed with --config, e.g. <c>actorbroker.auto-create-topics = off</c>.</summary>
    public string? ExtraConfig { get; init; }

    /// <summary>How long to wait for the ready line.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a graceful stop may take before it counts as a failure.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>The node did not start, did not stop, or a test against it failed; the message carries the node's log.</summary>
public sealed class NodeProcessException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// One ActorBroker node as a child process: <c>dotnet actorbroker.dll run --kafka-listen 127.0.0.1:PORT
/// --advertised 127.0.0.1:PORT --data-dir DIR [--config FILE] --akka-port AKKA-PORT [--akka-host HOST]</c>, started from the build output of
/// the current configuration. Its stdout and stderr go to <see cref="Log"/> and to <c>node.log</c> beside the data
/// directory. The port and the data directory survive <see cref="RestartAsync"/>; disposal stops the node and deletes
/// its directory (set ACTORBROKER_KEEP_TEST_DATA=1 to keep it).
/// </summary>
/// <remarks>Not thread-safe: one test drives one node.</remarks>
public sealed partial class NodeProcess : IAsyncDisposable
{
    public const string ReadyMarker = "ActorBroker ready";

    private const int SIGKILL = 9;
    private const int SIGTERM = 15;

    private readonly NodeOptions _options;
    private readonly string _workDir;
    private readonly string _logFile;
    private readonly string? _configFile;
    private readonly object _logGate = new();
    private readonly StringBuilder _log = new();
    private Process? _process;
    private int _starts;

    private NodeProcess(NodeOptions options)
    {
        _options = options;
        Port = options.Port == 0 ? FreePort.Next() : options.Port;
        _workDir = Path.Combine(Path.GetTempPath(), "actorbroker-tests", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid():N}"[..24]);
        DataDir = Path.Combine(_workDir, "data");
        _logFile = Path.Combine(_workDir, "node.log");
        Directory.CreateDirectory(DataDir);
        if (options.ExtraConfig is not null)
        {
            _configFile = Path.Combine(_workDir, "extra.conf");
            File.WriteAllText(_configFile, options.ExtraConfig);
        }
    }

    /// <summary>The Kafka port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary><c>127.0.0.1:PORT</c>, for bootstrap.servers.</summary>
    public string BootstrapServers => $"127.0.0.1:{Port}";

    public string DataDir { get; }

    /// <summary>The node's Akka endpoint as <c>HOST:PORT</c>, for cluster seeds and client proxies (needs a fixed <see cref="NodeOptions.AkkaPort"/>).</summary>
    public string AkkaEndpoint => $"{_options.AkkaHost ?? "127.0.0.1"}:{_options.AkkaPort}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Process id of the running node, or null.</summary>
    public int? ProcessId => IsRunning ? _process!.Id : null;

    /// <summary>Everything the node printed, across restarts.</summary>
    public string Log
    {
        get { lock (_logGate) return _log.ToString(); }
    }

    /// <summary>Starts a node and waits for its ready line.</summary>
    public static async Task<NodeProcess> StartAsync(NodeOptions? options = null)
    {
        var node = new NodeProcess(options ?? new NodeOptions());
        try
        {
            await node.StartProcessAsync();
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the node (SIGTERM when graceful, SIGKILL otherwise) and returns its exit code.</summary>
    public async Task<int> StopAsync(bool graceful = true)
    {
        var process = _process ?? throw new InvalidOperationException("The node was never started.");
        if (process.HasExited)
            return process.ExitCode;

        if (!graceful)
        {
            Kill();
            return process.ExitCode;
        }

        AppendLog($"=== test: SIGTERM to pid {process.Id} ===");
        if (SendSignal(process.Id, SIGTERM) != 0)
            throw new NodeProcessException($"kill(SIGTERM) failed with errno {Marshal.GetLastPInvokeError()}.\n{LogSection()}");

        using var cts = new CancellationTokenSource(_options.StopTimeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new NodeProcessException(
                $"The node did not exit within {_options.StopTimeout} of SIGTERM; killed it.\n{LogSection()}");
        }

        AppendLog($"=== test: node exited with code {process.ExitCode} ===");
        return process.ExitCode;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing.</summary>
    public void Kill()
    {
        var process = _process;
        if (process is null || process.HasExited)
            return;
        AppendLog($"=== test: SIGKILL to pid {process.Id} ===");
        SendSignal(process.Id, SIGKILL);
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
            throw new NodeProcessException($"The node survived SIGKILL for 30 s.\n{LogSection()}");
        process.WaitForExit(); // drains the output events
        AppendLog($"=== test: node killed (exit code {process.ExitCode}) ===");
    }

    /// <summary>Starts the node again on the same port and data directory (stopping it gracefully first if running).</summary>
    public async Task RestartAsync()
    {
        if (IsRunning)
        {
            var code = await StopAsync(graceful: true);
            if (code != 0)
                throw new NodeProcessException($"The node exited with code {code} on SIGTERM.\n{LogSection()}");
        }

        await StartProcessAsync();
    }

    /// <summary>Runs <paramref name="body"/>; if it throws, rethrows with the node's log attached.</summary>
    public async Task WithLogOnFailureAsync(Func<Task> body)
    {
        try
        {
            await body();
        }
        catch (Exception e) when (e is not NodeProcessException)
        {
            throw new NodeProcessException($"{e.GetType().Name}: {e.Message}\n{LogSection()}", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (IsRunning)
            {
                try
                {
                    await StopAsync(graceful: true);
                }
                catch (NodeProcessException)
                {
                    // Already killed; disposal must not hide the test's own failure.
                }
            }
        }
        finally
        {
            _process?.Dispose();
            if (Environment.GetEnvironmentVariable("ACTORBROKER_KEEP_TEST_DATA") is null or "" or "0")
            {
                try { Directory.Delete(_workDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }

    private async Task StartProcessAsync()
    {
        var dll = RepoPaths.NodeDll;
        if (!File.Exists(dll))
            throw new NodeProcessException(
                $"Node executable {dll} does not exist. Build the solution in {RepoPaths.Configuration} first " +
                "(scripts/test.sh does), or set ACTORBROKER_NODE_DLL.");

        _starts++;
        var args = new List<string>
        {
            dll, "run",
            "--kafka-listen", BootstrapServers,
            "--advertised", BootstrapServers,
            "--data-dir", DataDir,
            "--akka-port", _options.AkkaPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (_options.AkkaHost is not null)
        {
            args.Add("--akka-host");
            args.Add(_options.AkkaHost);
        }
        if (_configFile is not null)
        {
            args.Add("--config");
            args.Add(_configFile);
        }

        var psi = ExternalCommand.CreateStartInfo("dotnet", args, _workDir, null);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_GCgen0size"] = "0x4000000"; // as scripts/node-runtime.sh starts nodes
        AppendLog($"=== test: start #{_starts}: {ExternalCommand.Describe("dotnet", args)} ===");

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            AppendLog(e.Data);
            if (e.Data.Contains(ReadyMarker, StringComparison.Ordinal))
                ready.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) AppendLog("[stderr] " + e.Data);
        };
        process.Exited += (_, _) => ready.TrySetException(new NodeProcessException("The node exited before it was ready."));

        process.Start();
        _process?.Dispose();
        _process = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var stopwatch = Stopwatch.StartNew();
        var finished = await Task.WhenAny(ready.Task, Task.Delay(_options.ReadyTimeout));
        if (finished != ready.Task)
        {
            Kill();
            throw new NodeProcessException(
                $"The node printed no '{ReadyMarker}' line within {_options.ReadyTimeout}.\n{LogSection()}");
        }

        if (ready.Task.IsFaulted)
        {
            process.WaitForExit();
            throw new NodeProcessException(
                $"The node exited with code {process.ExitCode} before it was ready.\n{LogSection()}");
        }

        AppendLog($"=== test: ready after {stopwatch.ElapsedMilliseconds} ms ===");
    }

    private void AppendLog(string line)
    {
        lock (_logGate)
        {
            _log.AppendLine(line);
            try
            {
                File.AppendAllText(_logFile, line + Environment.NewLine);
            }
            catch (IOException)
            {
                // The in-memory log is the one failure messages use.
            }
        }
    }

    private string LogSection()
    {
        var log = Log;
        if (log.Length > 60_000)
            log = log[..20_000] + $"\n… ({log.Length - 60_000} chars elided, full log in {_logFile}) …\n" + log[^40_000..];
        return $"--- node log ({BootstrapServers}, data dir {DataDir}) ---\n{log}--- end of node log ---";
    }

    private static int SendSignal(int pid, int signal) => NativeKill(pid, signal);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int NativeKill(int pid, int sig);
}
