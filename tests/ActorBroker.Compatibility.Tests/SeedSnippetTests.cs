using System.Net;
using ActorBroker.TestKit;
using Xunit;

namespace ActorBroker.Compatibility.Tests;

/// <summary>Tests that need 127.0.0.1:9092 (the seed snippet hard-codes localhost:9092); they never run beside each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Port9092Collection
{
    public const string Name = "port 9092";
}

/// <summary>The kafka-python example from the seed document (/work/shared/seed/README.md), run unmodified.</summary>
[Collection(Port9092Collection.Name)]
public sealed class SeedSnippetTests
{
    private const string Python = "/usr/bin/python3";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private static string Snippet => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Resources", "seed-snippet.py"));

    /// <summary>The snippet's first paragraph: the producer lines, verbatim.</summary>
    private static string ProducerPart => Snippet[..Snippet.IndexOf("\n\n", StringComparison.Ordinal)] + "\n";

    [Fact]
    public async Task Seed_snippet_produces_and_its_consumer_prints_records_produced_after_it_started()
    {
        Assert.False(FreePort.IsListening(IPAddress.Loopback, 9092, TimeSpan.FromSeconds(1)),
            "Something already listens on 127.0.0.1:9092; this test needs the port.");

        await using var node = await NodeProcess.StartAsync(new NodeOptions { Port = 9092 });
        await node.WithLogOnFailureAsync(async () =>
        {
            // The snippet says localhost; every address localhost resolves to must reach the node.
            foreach (var address in await Dns.GetHostAddressesAsync("localhost"))
            {
                Assert.True(FreePort.IsListening(address, 9092, TimeSpan.FromSeconds(5)),
                    $"localhost resolves to {address}, where nothing listens on 9092 (the node listens on {node.BootstrapServers}).");
            }

            // The whole snippet, unmodified: it produces 'test-data' and then consumes forever from the end of the log.
            await using var snippet = ExternalCommand.Start(Python, ["-u", "-c", Snippet]);

            var firstRecord = await WaitForFirstRecordAsync(node.BootstrapServers, snippet);
            Assert.Equal("test-data", firstRecord);

            // Its consumer only prints records produced after it started, so feed it with the snippet's producer lines
            // until it prints one (it may still be resolving its start offset when the first arrives).
            var stopAt = DateTime.UtcNow + Deadline;
            var producerRuns = 0;
            var printed = false;
            while (!printed && DateTime.UtcNow < stopAt)
            {
                Assert.False(snippet.HasExited, $"The snippet's consumer exited.\n{snippet.Log}");
                var produced = await ExternalCommand.RunAsync(Python, ["-u", "-c", ProducerPart], timeout: TimeSpan.FromSeconds(60));
                produced.EnsureSuccess();
                producerRuns++;
                printed = await snippet.WaitForLineAsync(line => line == "test-data", TimeSpan.FromSeconds(5));
            }

            Assert.True(printed, $"The snippet's consumer printed no 'test-data' within {Deadline} ({producerRuns} producer runs).\n{snippet.Log}");
            Assert.False(snippet.HasExited, $"The snippet's consumer exited.\n{snippet.Log}");
        });
    }

    private static async Task<string> WaitForFirstRecordAsync(string bootstrap, RunningCommand snippet)
    {
        var stopAt = DateTime.UtcNow + Deadline;
        while (DateTime.UtcNow < stopAt)
        {
            var records = await Task.Run(() => ConfluentClients.ConsumeFromBeginning(bootstrap, "test-topic", 1, TimeSpan.FromSeconds(5)));
            if (records.Count > 0)
                return TestRecords.Text(records[0].Message.Value);
            Assert.False(snippet.HasExited, $"The snippet exited.\n{snippet.Log}");
        }

        throw new TimeoutException($"The snippet's record never appeared in test-topic within {Deadline}.\n{snippet.Log}");
    }
}
