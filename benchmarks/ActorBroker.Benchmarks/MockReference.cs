using System.Diagnostics;

namespace ActorBroker.Benchmarks;

/// <summary>
/// The benchmark's side of the mock cluster: starts <c>mock-cluster</c> as a child process of this program, reads
/// its bootstrap list, asks it to create topics, and stops it (closing its standard input) when disposed.
/// </summary>
public sealed class MockReference : IDisposable
{
    private readonly Process _process;
    private readonly SemaphoreSlim _oneRequest = new(1);

    public string Bootstrap { get; }
    public int Pid => _process.Id;

    private MockReference(Process process, string bootstrap)
    {
        _process = process;
        Bootstrap = bootstrap;
    }

    public static async Task<MockReference> StartAsync(Action<string> log)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false, // its log goes to ours
        };
        // Under `dotnet X.dll` the process path is dotnet itself: pass the program's dll first.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
            info.ArgumentList.Add(typeof(MockReference).Assembly.Location);
        info.ArgumentList.Add(MockCluster.Name);
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the mock cluster process.");
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (line is null || !line.StartsWith(MockCluster.BootstrapPrefix, StringComparison.Ordinal))
        {
            process.Kill();
            throw new InvalidOperationException($"The mock cluster process did not report its bootstrap list (got '{line}').");
        }
        log($"reference: librdkafka mock cluster (pid {process.Id}) at {line[MockCluster.BootstrapPrefix.Length..]}");
        return new MockReference(process, line[MockCluster.BootstrapPrefix.Length..]);
    }

    public async Task CreateTopicAsync(string topic, int partitions)
    {
        await _oneRequest.WaitAsync();
        try
        {
            await _process.StandardInput.WriteLineAsync($"create {topic} {partitions}");
            await _process.StandardInput.FlushAsync();
            string? reply = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            if (reply != $"created {topic}")
                throw new InvalidOperationException($"The mock cluster did not create {topic}: {reply ?? "it exited"}");
        }
        finally
        {
            _oneRequest.Release();
        }
    }

    public void Dispose()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
            _process.Kill();
        _process.Dispose();
        _oneRequest.Dispose();
    }
}
