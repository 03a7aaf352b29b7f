using System.Diagnostics;
using System.Text.Json;
using ActorBroker.TestKit;
using Xunit;

namespace ActorBroker.Compatibility.Tests;

/// <summary>
/// kafka-python group consumers (python/group_consumer.py, one process each) against the classic group protocol:
/// the partitions are split between the members, a killed member's partitions move to the survivor after its
/// session expires, and with a commit after every poll no committed record is delivered twice.
/// </summary>
public sealed class KafkaPythonGroupTests
{
    private const string Python = "/usr/bin/python3";
    private const int Partitions = 4;
    private const int SessionTimeoutMs = 6_000; // the broker's default minimum
    private const int HeartbeatIntervalMs = 1_000;

    private static string Script => Path.Combine(RepoPaths.Root, "tests", "ActorBroker.Compatibility.Tests", "python", "group_consumer.py");

    [Fact]
    public async Task Two_consumers_split_four_partitions_then_the_survivor_of_a_kill_gets_all_four_and_no_committed_record_comes_twice()
    {
        await using var node = await NodeProcess.StartAsync(new NodeOptions { ExtraConfig = GroupTests.NoInitialDelay });
        var topic = TestTopics.Unique("py-group");
        var group = TestTopics.Unique("py-group-g");
        var started = new List<RunningCommand>();
        try
        {
            await node.WithLogOnFailureAsync(async () =>
            {
                await GroupTests.CreateTopicAsync(node.BootstrapServers, topic, Partitions);
                var a = StartConsumer(node, topic, group, "a");
                started.Add(a);
                var b = StartConsumer(node, topic, group, "b");
                started.Add(b);
                string Logs() => $"--- consumer a ---\n{a.Log}\n--- consumer b ---\n{b.Log}";

                // 1. The stable group splits the partitions 2/2.
                Assert.True(await GroupTests.WaitUntilAsync(() =>
                    {
                        var pa = LastAssignment(a);
                        var pb = LastAssignment(b);
                        return pa is { Count: 2 } && pb is { Count: 2 } && pa.Union(pb).Order().SequenceEqual([0, 1, 2, 3]);
                    }, TimeSpan.FromSeconds(30)),
                    $"The two consumers did not settle on a 2/2 split of the {Partitions} partitions.\n{Logs()}");
                var assignedA = LastAssignment(a)!;
                var assignedB = LastAssignment(b)!;

                // 2. Records produced now are consumed and committed by the owner of their partition.
                var produced = await GroupTests.ProduceSpreadAsync(node.BootstrapServers, topic, Partitions, 200, "phase1");
                Assert.True(await GroupTests.WaitUntilAsync(() => AllConsumedAndCommitted(produced, a, b), TimeSpan.FromSeconds(30)),
                    $"Not every phase-1 record was consumed and committed.\n{Logs()}");
                Assert.All(Events(a, "record"), r => Assert.Contains(r.GetProperty("p").GetInt32(), assignedA));
                Assert.All(Events(b, "record"), r => Assert.Contains(r.GetProperty("p").GetInt32(), assignedB));
                Assert.Empty(Events(a, "commit_failed").Concat(Events(b, "commit_failed")));

                // 3. Kill b (no LeaveGroup): after its session expires a owns all four partitions.
                var killed = Stopwatch.StartNew();
                b.Kill();
                Assert.True(await GroupTests.WaitUntilAsync(() => LastAssignment(a) is { Count: Partitions }, TimeSpan.FromSeconds(40)),
                    $"Consumer a did not get all {Partitions} partitions within 40 s of b's death.\n{Logs()}");
                killed.Stop();
                // Session expiry (6 s) + a heartbeat interval to learn of the rebalance + the rejoin itself.
                Assert.True(killed.Elapsed < TimeSpan.FromMilliseconds(SessionTimeoutMs + 10_000),
                    $"The takeover took {killed.Elapsed}, more than the session timeout ({SessionTimeoutMs} ms) + 10 s.\n{Logs()}");
                Assert.True(killed.Elapsed >= TimeSpan.FromMilliseconds(SessionTimeoutMs - 1_500),
                    $"a got b's partitions {killed.Elapsed} after b was killed, before b's session ({SessionTimeoutMs} ms) could have expired.\n{Logs()}");

                // 4. a continues every partition from the committed offsets: all of phase 2, none of phase 1 again.
                produced.AddRange(await GroupTests.ProduceSpreadAsync(node.BootstrapServers, topic, Partitions, 200, "phase2"));
                Assert.True(await GroupTests.WaitUntilAsync(() => AllConsumedAndCommitted(produced, a, b), TimeSpan.FromSeconds(30)),
                    $"Not every phase-2 record was consumed and committed by the survivor.\n{Logs()}");

                var deliveries = Events(a, "record").Concat(Events(b, "record"))
                    .Select(r => (P: r.GetProperty("p").GetInt32(), O: r.GetProperty("o").GetInt64(), V: r.GetProperty("v").GetString()))
                    .ToList();
                var duplicates = deliveries.GroupBy(d => (d.P, d.O)).Where(g => g.Count() > 1).Select(g => $"{g.Key.P}@{g.Key.O}x{g.Count()}").ToList();
                Assert.True(duplicates.Count == 0, $"Records delivered more than once after being committed: {string.Join(", ", duplicates)}\n{Logs()}");
                Assert.Equal(
                    produced.Select(p => (p.Partition, p.Offset, p.Value)).Order().ToList(),
                    deliveries.Select(d => (d.P, d.O, d.V!)).Order().ToList());
                Assert.Empty(Events(a, "commit_failed"));

                // 5. OffsetFetch from another client agrees with what kafka-python committed.
                var committed = await GroupTests.CommittedAsync(node.BootstrapServers, group, topic, Partitions);
                Assert.Equal(GroupTests.Describe(GroupTests.EndOffsets(produced)), GroupTests.Describe(committed));
            });
        }
        finally
        {
            foreach (var consumer in started)
                await consumer.DisposeAsync();
        }
    }

    private static RunningCommand StartConsumer(NodeProcess node, string topic, string group, string name) =>
        ExternalCommand.Start(Python,
            ["-u", Script, node.BootstrapServers, topic, group, name, SessionTimeoutMs.ToString(), HeartbeatIntervalMs.ToString()]);

    private static List<JsonElement> Events(RunningCommand consumer, string kind) =>
        consumer.StdoutLines
            .Where(l => l.StartsWith('{'))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("event").GetString() == kind)
            .ToList();

    private static List<int>? LastAssignment(RunningCommand consumer) =>
        Events(consumer, "assigned").LastOrDefault() is { ValueKind: JsonValueKind.Object } last
            ? last.GetProperty("partitions").EnumerateArray().Select(p => p.GetInt32()).ToList()
            : null;

    /// <summary>Every produced record was delivered, and the newest commit of each partition is at its end.</summary>
    private static bool AllConsumedAndCommitted(List<GroupTests.Produced> produced, params RunningCommand[] consumers)
    {
        var seen = consumers.SelectMany(c => Events(c, "record"))
            .Select(r => (r.GetProperty("p").GetInt32(), r.GetProperty("o").GetInt64()))
            .ToHashSet();
        if (!produced.All(p => seen.Contains((p.Partition, p.Offset))))
            return false;
        var committed = new Dictionary<int, long>();
        foreach (var commit in consumers.SelectMany(c => Events(c, "committed")))
        {
            foreach (var offset in commit.GetProperty("offsets").EnumerateObject())
            {
                int partition = int.Parse(offset.Name);
                committed[partition] = Math.Max(committed.GetValueOrDefault(partition), offset.Value.GetInt64());
            }
        }
        return GroupTests.EndOffsets(produced).All(e => committed.GetValueOrDefault(e.Key) == e.Value);
    }
}
