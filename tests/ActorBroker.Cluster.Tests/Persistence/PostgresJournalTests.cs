using System.Collections.Immutable;
using Akka.Actor;
using ActorBroker.Cluster.Groups;
using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;
using ActorBroker.TestKit;

namespace ActorBroker.Cluster.Tests.Persistence;

/// <summary>A private PostgreSQL server and one database for the whole class.</summary>
public sealed class PostgresDatabase : IAsyncLifetime
{
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("not started");

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        _server = await PostgresServer.StartAsync();
        ConnectionString = await _server.CreateDatabaseAsync("journal_tests");
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }
}

/// <summary>
/// Akka.Persistence.Sql against a real PostgreSQL with hocon/postgres-journal.conf: what one broker system persists
/// (the topic registry, a group's offsets, snapshots) a second system with another data directory recovers, and the
/// query journal's CurrentPersistenceIds (GroupDirectory) lists the groups.
/// </summary>
public class PostgresJournalTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private Akka.Configuration.Config Layer() =>
        Akka.Configuration.ConfigurationFactory.ParseString($"actorbroker.postgres.connection-string = {ActorBrokerConfig.Quote(database.ConnectionString)}")
            .WithFallback(ActorBrokerConfig.ParseFile(Path.Combine(RepoPaths.Root, "hocon", "postgres-journal.conf")));

    [Fact]
    public async Task Topics_offsets_and_snapshots_written_by_one_node_are_recovered_by_another_with_its_own_data_directory()
    {
        var offsets = Enumerable.Range(0, 205).Select(i => new OffsetToCommit(new TopicPartition("pg-orders", 0), i, -1, null)).ToList();
        using (var first = new TempDirectory())
        {
            var (system, broker) = await BrokerSystem.StartAsync(first.Path, layer: Layer());
            try
            {
                var created = await broker.Topics.Ask<CreateTopicResult>(
                    new CreateTopic("pg-orders", 3, 1, ImmutableSortedDictionary<string, string>.Empty), Timeout);
                Assert.Equal(ErrorCode.None, created.Error);
                // One commit per event: 205 events, so the coordinator saves a snapshot after the 200th.
                foreach (var offset in offsets)
                {
                    var result = await broker.Groups.Ask<CommitOffsetsResult>(new CommitOffsets("pg-readers", "", null, -1, [offset]), Timeout);
                    Assert.Equal(ErrorCode.None, result.Error);
                }
                await AwaitAsync(async () => Convert.ToInt64(await database.Server.ScalarAsync("journal_tests",
                        "SELECT count(*) FROM snapshot WHERE persistence_id = 'group-pg-readers'")) > 0,
                    "group snapshot in the snapshot table");
            }
            finally
            {
                await BrokerSystem.StopAsync(system);
            }
        }

        using var second = new TempDirectory();
        var (system2, broker2) = await BrokerSystem.StartAsync(second.Path, layer: Layer());
        try
        {
            var described = await broker2.Topics.Ask<DescribeTopicsResult>(new DescribeTopics(["pg-orders"], false), Timeout);
            Assert.Equal(3, described.Topics.Single().Topic?.PartitionCount);

            var fetched = await broker2.Groups.Ask<FetchOffsetsResult>(new FetchOffsets("pg-readers", null), Timeout);
            Assert.Equal(204, fetched.Offsets.Single().Offset?.Offset);

            int woken = await GroupDirectory.WakePersistedGroupsAsync(system2, broker2.Groups);
            Assert.Equal(1, woken);
        }
        finally
        {
            await BrokerSystem.StopAsync(system2);
        }
    }

    private static async Task AwaitAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"No {what} within {Timeout}.");
            await Task.Delay(100);
        }
    }
}
