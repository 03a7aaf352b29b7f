using System.Diagnostics;
using System.Text.Json;
using ActorBroker.TestKit;
using Xunit.Abstractions;

namespace ActorBroker.Benchmarks.Tests;

/// <summary>
/// CI smoke check of the benchmark harness: <c>scripts/bench.sh --quick --json FILE</c> with every single-node
/// scenario must finish and report every figure, ActorBroker's positive and the reference's where there is one, after
/// an unmeasured warm-up of the node.
/// It checks that the harness works, never how fast anything is. cluster-acks-all is left out: starting
/// PostgreSQL and three nodes costs more than the smoke check's budget (about two minutes).
/// </summary>
public sealed class BenchQuickRunTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(6);

    /// <summary>Every (scenario, metric) the single-node scenarios report, and whether it has a reference figure.</summary>
    public static readonly (string Scenario, string Metric, bool HasReference)[] Expected =
    [
        ("produce-100b", "records/s", true), ("produce-100b", "MB/s", true), ("produce-100b", "broker CPU per M records", true),
        ("produce-1k", "MB/s acks=1", true), ("produce-1k", "broker CPU per M records acks=1", true),
        ("produce-1k", "MB/s acks=all", true), ("produce-1k", "broker CPU per M records acks=all", true),
        ("consume-1k", "MB/s", true), ("consume-1k", "broker CPU per M records", true),
        ("produce-consume", "produce MB/s", true), ("produce-consume", "consume MB/s", true),
        ("latency", "p50", true), ("latency", "p99", true), ("latency", "p99.9", true), ("latency", "max", true),
        ("partitions", "MB/s 1 partition(s)", true), ("partitions", "MB/s 6 partition(s)", true),
        ("partitions", "MB/s 64 partition(s)", true), ("partitions", "MB/s 512 partition(s)", true),
        ("partitions", "512 ÷ 6 partitions", true),
        ("durable", "MB/s acks=all flush.messages=1", true), ("durable", "broker CPU per M records", true),
        ("proxy-produce", "records/s", false), ("proxy-produce", "MB/s", false),
    ];

    [Fact]
    public void Quick_run_of_the_single_node_scenarios_reports_every_figure()
    {
        string json = Path.Combine(Path.GetTempPath(), $"bench-quick-{Guid.NewGuid():N}.json");
        try
        {
            var scenarios = Expected.Select(e => e.Scenario).Distinct();
            var (exitCode, log) = RunBench(["--quick", "--json", json, .. scenarios]);
            Assert.True(exitCode == 0, $"scripts/bench.sh exited with {exitCode}:\n{log}");
            Assert.Matches(@"Page-cache write \(.*\): fresh pages \d+ MB/s, over cached pages \d+ MB/s", log);
            Assert.Matches(@"Sequential write \(.*\): \d+ MB/s", log);
            Assert.Matches(@"Loopback TCP, .*: \d+ MB/s", log);
            var probes = System.Text.RegularExpressions.Regex.Match(log, @"Page-cache write into fresh pages just before each scenario .*?, MB/s: (.*)\.");
            Assert.True(probes.Success, "the page-cache probe line is missing");
            foreach (var scenario in scenarios)
                Assert.Matches($@"(^|, ){scenario} \d+(,|$)", probes.Groups[1].Value);

            // The node is warmed up (unmeasured) before the first scenario measures anything.
            int warmUp = log.IndexOf("node warm-up 1 on actorbroker (not counted)", StringComparison.Ordinal);
            int firstMeasured = log.IndexOf("produce-100b on actorbroker, run 1/", StringComparison.Ordinal);
            Assert.True(warmUp >= 0, "the node's warm-up run is missing from the log");
            Assert.True(firstMeasured > warmUp, "the first measured run came before the node's warm-up");

            using var figures = JsonDocument.Parse(File.ReadAllText(json));
            var byKey = figures.RootElement.EnumerateArray()
                .ToDictionary(f => (f.GetProperty("scenario").GetString()!, f.GetProperty("metric").GetString()!));
            foreach (var (scenario, metric, hasReference) in Expected)
            {
                Assert.True(byKey.TryGetValue((scenario, metric), out var figure), $"{scenario} / {metric} is missing from the JSON");
                Assert.True(figure.GetProperty("actorbroker").GetDouble() > 0, $"{scenario} / {metric}: ActorBroker figure is not positive");
                Assert.False(string.IsNullOrEmpty(figure.GetProperty("unit").GetString()), $"{scenario} / {metric} has no unit");
                if (hasReference)
                {
                    Assert.True(figure.GetProperty("reference").ValueKind == JsonValueKind.Number && figure.GetProperty("reference").GetDouble() > 0,
                        $"{scenario} / {metric}: no positive reference figure");
                    Assert.True(figure.GetProperty("ratio").ValueKind == JsonValueKind.Number, $"{scenario} / {metric}: no ratio");
                }
                else
                {
                    Assert.Equal(JsonValueKind.Null, figure.GetProperty("reference").ValueKind);
                    Assert.Equal(JsonValueKind.Null, figure.GetProperty("ratio").ValueKind);
                }
            }
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Fact]
    public void An_unknown_scenario_is_a_usage_error_that_lists_the_scenarios()
    {
        var (exitCode, log) = RunBench(["--quick", "produce-1kb"]);
        Assert.Equal(2, exitCode);
        Assert.Contains("unknown scenario produce-1kb", log);
        Assert.Contains("produce-100b", log);
    }

    private (int ExitCode, string Log) RunBench(IReadOnlyList<string> args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.Root };
        info.ArgumentList.Add(Path.Combine(RepoPaths.Root, "scripts", "bench.sh"));
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        // The project references build the node and the benchmark program first; bench.sh need not build again.
        if (RepoPaths.Configuration == "Release")
            info.Environment["BENCH_SKIP_BUILD"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Budget))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"scripts/bench.sh did not finish in {Budget}:\n{stderr.Result}");
        }
        string log = stderr.Result + stdout.Result;
        output.WriteLine(log);
        return (process.ExitCode, log);
    }
}
