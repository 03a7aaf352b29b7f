using System.Text.Json;
using ActorBroker.TestKit;
using Xunit;

namespace ActorBroker.Compatibility.Tests;

/// <summary>
/// A kafkajs consumer group (js/group-consume.js): eachMessage with autoCommit off and commitOffsets after each
/// message; admin.fetchOffsets reports the commits, and the next run of the group resumes from them.
/// </summary>
public sealed class KafkaJsGroupTests
{
    private const int Partitions = 3;

    private static string JsDir => Path.Combine(RepoPaths.Root, "tests", "ActorBroker.Compatibility.Tests", "js");

    [Fact]
    public async Task Manual_commits_from_eachMessage_are_fetched_by_admin_and_the_next_run_resumes_from_them()
    {
        await using var node = await NodeProcess.StartAsync(new NodeOptions { ExtraConfig = GroupTests.NoInitialDelay });
        var topic = TestTopics.Unique("kafkajs-group");
        var group = TestTopics.Unique("kafkajs-group-g");
        await node.WithLogOnFailureAsync(async () =>
        {
            await GroupTests.CreateTopicAsync(node.BootstrapServers, topic, Partitions);
            var first = await GroupTests.ProduceSpreadAsync(node.BootstrapServers, topic, Partitions, 90, "run1");

            // Run 1: every record once, and fetchOffsets returns the last commit of each partition.
            var run1 = await RunGroupAsync(node, topic, group, first.Count);
            AssertExactly(first, run1);
            AssertFetchedAndCommitted(GroupTests.EndOffsets(first), run1);
            Assert.Equal("Empty", run1.RootElement.GetProperty("group").GetProperty("state").GetString());

            // Run 2 of the same group: only the records produced since; nothing below the committed offsets.
            var second = await GroupTests.ProduceSpreadAsync(node.BootstrapServers, topic, Partitions, 60, "run2");
            var run2 = await RunGroupAsync(node, topic, group, second.Count);
            AssertExactly(second, run2);
            AssertFetchedAndCommitted(GroupTests.EndOffsets(first.Concat(second)), run2);

            // Another client's OffsetFetch agrees.
            var committed = await GroupTests.CommittedAsync(node.BootstrapServers, group, topic, Partitions);
            Assert.Equal(GroupTests.Describe(GroupTests.EndOffsets(first.Concat(second))), GroupTests.Describe(committed));
        });
    }

    private static async Task<JsonDocument> RunGroupAsync(NodeProcess node, string topic, string group, int count)
    {
        var run = await ExternalCommand.RunAsync("node",
            ["group-consume.js", node.BootstrapServers, topic, group, count.ToString(), "40000"],
            workingDirectory: JsDir, timeout: TimeSpan.FromSeconds(55),
            environment: new Dictionary<string, string> { ["KAFKAJS_NO_PARTITIONER_WARNING"] = "1" });
        run.EnsureSuccess();
        var report = JsonDocument.Parse(run.Stdout.Trim().Split('\n')[^1]);
        Assert.True(report.RootElement.GetProperty("complete").GetBoolean(), $"kafkajs did not get {count} records.\n{run}");
        return report;
    }

    private static void AssertExactly(List<GroupTests.Produced> expected, JsonDocument run)
    {
        var records = run.RootElement.GetProperty("records").EnumerateArray()
            .Select(r => (r.GetProperty("p").GetInt32(), r.GetProperty("o").GetInt64(), r.GetProperty("v").GetString()!))
            .ToList();
        var duplicates = records.GroupBy(r => (r.Item1, r.Item2)).Where(g => g.Count() > 1).Select(g => $"{g.Key.Item1}@{g.Key.Item2}").ToList();
        Assert.True(duplicates.Count == 0, $"Delivered twice: {string.Join(", ", duplicates)}");
        var unexpected = records.Except(expected.Select(p => (p.Partition, p.Offset, p.Value))).Select(r => $"{r.Item1}@{r.Item2}={r.Item3}").ToList();
        Assert.True(unexpected.Count == 0, $"Delivered records that were not produced for this run (re-delivery below the committed offset?): {string.Join(", ", unexpected.Take(20))}");
        Assert.Equal(expected.Select(p => (p.Partition, p.Offset, p.Value)).Order().ToList(), records.Order().ToList());
    }

    private static void AssertFetchedAndCommitted(Dictionary<int, long> expectedEnd, JsonDocument run)
    {
        var lastCommits = run.RootElement.GetProperty("commits").EnumerateArray()
            .GroupBy(c => c.GetProperty("p").GetInt32())
            .ToDictionary(g => g.Key, g => g.Max(c => c.GetProperty("offset").GetInt64()));
        Assert.Equal(GroupTests.Describe(expectedEnd), GroupTests.Describe(lastCommits));

        var fetched = run.RootElement.GetProperty("fetched").EnumerateArray().Single().GetProperty("partitions").EnumerateArray()
            .ToDictionary(p => p.GetProperty("partition").GetInt32(), p => long.Parse(p.GetProperty("offset").GetString()!));
        Assert.Equal(GroupTests.Describe(expectedEnd), GroupTests.Describe(fetched));
    }
}
