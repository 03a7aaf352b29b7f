using System.Collections.Immutable;
using Akka;
using Akka.Actor;
using Akka.Persistence;
using ActorBroker.Cluster.Topics;
using ActorBroker.TestKit;

namespace ActorBroker.Cluster.Tests.Topics;

/// <summary>A controller that takes over (here: the registry of a restarted node, recovering the same journal) resumes
/// the reassignments its predecessor journaled.</summary>
public sealed class ReassignmentRecoveryTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _dataDir = new();

    [Fact]
    public async Task A_journaled_reassignment_whose_target_is_in_sync_is_switched_by_the_next_controller()
    {
        // The previous controller journaled the reassignment of t-0 from [1,2] to [1] and the ISR shrinking to [1],
        // then died before the switch.
        var topic = new TopicDescription("t", Guid.NewGuid(), 1, 2, ImmutableSortedDictionary<string, string>.Empty)
        {
            Assignments = [PartitionAssignment.Initial([1, 2])],
        };
        var inProgress = new PartitionAssignment([1, 2], 1, 0, [1]) { Reassignment = new PartitionReassignment([1, 2], [1]) };
        await WriteJournalAsync(TopicRegistry.Name, new TopicCreated(topic), new PartitionAssignmentChanged("t", topic.TopicId, 0, inProgress));

        var (system, broker) = await BrokerSystem.StartAsync(_dataDir.Path);
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            PartitionAssignment current;
            do
            {
                await Task.Delay(200);
                var described = await broker.Topics.Ask<DescribeTopicsResult>(new DescribeTopics(["t"], AutoCreate: false), Timeout);
                current = described.Topics.Single().Topic!.Assignments[0];
            } while (current.Reassignment is not null && DateTime.UtcNow < deadline);

            Assert.Null(current.Reassignment);
            Assert.Equal([1], current.Replicas.ToArray());
            Assert.Equal(1, current.Leader);
        }
        finally
        {
            await BrokerSystem.StopAsync(system);
        }
    }

    /// <summary>Persists <paramref name="events"/> under <paramref name="persistenceId"/> in the data directory's journal,
    /// from an actor system that runs no broker.</summary>
    private async Task WriteJournalAsync(string persistenceId, params object[] events)
    {
        using var system = ActorSystem.Create("journal-writer", BrokerSystem.Config(_dataDir.Path, "akka.actor.provider = local"));
        var writer = system.ActorOf(Props.Create(() => new JournalWriter(persistenceId, events)));
        await writer.Ask<Done>(JournalWriter.Write.Instance, Timeout);
        await system.Terminate();
    }

    private sealed class JournalWriter : ReceivePersistentActor
    {
        public JournalWriter(string persistenceId, object[] events)
        {
            PersistenceId = persistenceId;
            Command<Write>(_ =>
            {
                var replyTo = Sender;
                int remaining = events.Length;
                PersistAll(events, _ =>
                {
                    if (--remaining == 0)
                        replyTo.Tell(Done.Instance);
                });
            });
        }

        public override string PersistenceId { get; }

        public sealed class Write
        {
            public static readonly Write Instance = new();
        }
    }

    public void Dispose() => _dataDir.Dispose();
}
