using System.Diagnostics;
using System.Text;

namespace ActorBroker.TestKit;

/// <summary>What a finished external command left behind.</summary>
public sealed record CommandResult(string Description, int ExitCode, byte[] StdoutBytes, string Stderr, TimeSpan Elapsed)
{
    public string Stdout => Encoding.UTF8.GetString(StdoutBytes);

    /// <summary>Throws with the command's output unless it exited 0.</summary>
    public CommandResult EnsureSuccess()
    {
        if (ExitCode != 0)
            throw new InvalidOperationException($"{Description} exited {ExitCode} after {Elapsed}.\n{this}");
        return this;
    }

    public override string ToString()
    {
        var stdout = Stdout;
        if (stdout.Length > 8000)
            stdout = stdout[..4000] + $"\n… ({stdout.Length - 8000} chars elided) …\n" + stdout[^4000..];
        return $"--- stdout ---\n{stdout}\n--- stderr ---\n{Stderr}";
    }
}

/// <summary>
/// Runs kcat, /usr/bin/python3, node and the like: arguments without a shell, optional stdin, a timeout that
/// kills the process tree, stdout captured as bytes (byte-exact comparisons) and stderr as text.
/// </summary>
public static class ExternalCommand
{
    public static async Task<CommandResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        byte[]? stdin = null,
        TimeSpan? timeout = null,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null,
        CancellationToken cancellationToken = default)
    {
        var args = arguments.ToList();
        var description = Describe(fileName, args);
        var psi = CreateStartInfo(fileName, args, workingDirectory, environment);
        psi.RedirectStandardInput = true;

        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = psi };
        try
        {
            process.Start();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"Could not start {description}: {e.Message}", e);
        }

        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        var stdoutTask = process.StandardOutput.BaseStream.CopyToAsync(stdout, CancellationToken.None);
        var stderrTask = process.StandardError.BaseStream.CopyToAsync(stderr, CancellationToken.None);

        var stdinTask = Task.Run(async () =>
        {
            try
            {
                if (stdin is { Length: > 0 })
                    await process.StandardInput.BaseStream.WriteAsync(stdin, CancellationToken.None);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The process exited without reading all of its input; its exit code and output tell why.
            }
        }, CancellationToken.None);

        using var timeoutCts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutCts.Token, cancellationToken);
        try
        {
            await process.WaitForExitAsync(linked.Token);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await process.WaitForExitAsync(CancellationToken.None);
            await Task.WhenAll(stdoutTask, stderrTask);
            var partial = new CommandResult(description, -1, stdout.ToArray(), Encoding.UTF8.GetString(stderr.ToArray()), stopwatch.Elapsed);
            if (cancellationToken.IsCancellationRequested)
                throw new OperationCanceledException($"{description} was cancelled.\n{partial}", cancellationToken);
            throw new TimeoutException($"{description} did not finish within {timeout ?? TimeSpan.FromMinutes(2)}; killed.\n{partial}");
        }

        await Task.WhenAll(stdoutTask, stderrTask, stdinTask);
        return new CommandResult(description, process.ExitCode, stdout.ToArray(), Encoding.UTF8.GetString(stderr.ToArray()), stopwatch.Elapsed);
    }

    /// <summary>Starts a long-running command whose output lines are watched while it runs (a consumer loop).</summary>
    public static RunningCommand Start(
        string fileName,
        IEnumerable<string> arguments,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var args = arguments.ToList();
        var psi = CreateStartInfo(fileName, args, workingDirectory, environment);
        psi.RedirectStandardInput = true;
        return new RunningCommand(Describe(fileName, args), psi);
    }

    internal static ProcessStartInfo CreateStartInfo(
        string fileName, IReadOnlyList<string> args, string? workingDirectory, IReadOnlyDictionary<string, string>? environment)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
            psi.ArgumentList.Add(arg);
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
                psi.Environment[key] = value;
        }

        return psi;
    }

    internal static string Describe(string fileName, IReadOnlyList<string> args) =>
        string.Join(' ', new[] { fileName }.Concat(args.Select(a => a.Contains(' ') || a.Length == 0 ? $"'{a}'" : a)));
}

/// <summary>A started command whose stdout and stderr lines are collected as they arrive.</summary>
public sealed class RunningCommand : IAsyncDisposable
{
    private readonly Process _process;
    private readonly object _gate = new();
    private readonly List<string> _stdoutLines = new();
    private readonly StringBuilder _log = new();
    private readonly SemaphoreSlim _lineArrived = new(0);

    internal RunningCommand(string description, ProcessStartInfo psi)
    {
        Description = description;
        _process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_gate)
            {
                _stdoutLines.Add(e.Data);
                _log.Append("[out] ").AppendLine(e.Data);
            }
            _lineArrived.Release();
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_gate) _log.Append("[err] ").AppendLine(e.Data);
        };
        try
        {
            _process.Start();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"Could not start {description}: {e.Message}", e);
        }
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Description { get; }

    public bool HasExited => _process.HasExited;

    public IReadOnlyList<string> StdoutLines
    {
        get { lock (_gate) return _stdoutLines.ToList(); }
    }

    /// <summary>Interleaved stdout and stderr so far, for failure messages.</summary>
    public string Log
    {
        get { lock (_gate) return _log.ToString(); }
    }

    /// <summary>Writes text to the command's stdin.</summary>
    public async Task WriteStdinAsync(string text)
    {
        await _process.StandardInput.WriteAsync(text);
        await _process.StandardInput.FlushAsync();
    }

    public void CloseStdin() => _process.StandardInput.Close();

    /// <summary>Waits until a stdout line satisfies <paramref name="predicate"/>; false on timeout or exit.</summary>
    public async Task<bool> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (StdoutLines.Any(predicate))
                return true;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                return false;
            if (_process.HasExited)
            {
                // Output events may still be draining after exit.
                await _process.WaitForExitAsync();
                return StdoutLines.Any(predicate);
            }
            await _lineArrived.WaitAsync(left < TimeSpan.FromMilliseconds(250) ? left : TimeSpan.FromMilliseconds(250));
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        }
        catch (OperationCanceledException)
        {
        }
        _process.Dispose();
        _lineArrived.Dispose();
    }
}
