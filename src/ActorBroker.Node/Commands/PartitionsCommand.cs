using ActorBroker.Cluster;
using ActorBroker.Cluster.Topics;
using ActorBroker.Node.Admin;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;

namespace ActorBroker.Node.Commands;

/// <summary><c>actorbroker partitions reassign|reassignments</c>: moves partition replicas between brokers over the
/// Kafka protocol (AlterPartitionReassignments, ListPartitionReassignments).</summary>
public static class PartitionsCommand
{
    public const string Help = """
        actorbroker partitions <reassign|reassignments> [options]

        Moves partition replicas between brokers, e.g. onto a node that just joined. The new replicas copy the
        partition's log first; only when they are all in sync does the controller switch the partition over (and
        move its leadership if the old leader is not among the new replicas). Clients keep producing meanwhile.

        Commands:
          partitions reassign --topic T --partition P --replicas 2,3,4     move one partition now
          partitions reassign --topic T [--topic T2 ...] --rebalance       plan an even spread over the live brokers
          partitions reassign ... --rebalance --execute                    ... and start it
          partitions reassign --topic T --partition P --cancel             cancel a reassignment in progress
          partitions reassignments [--topic T ...]                         list the reassignments in progress

        Run 'actorbroker partitions <command> --help' for a command's options.
        """;

    public const string ReassignHelp = """
        actorbroker partitions reassign --topic T [options]

        Starts partition reassignments. With --replicas it starts one at once; with --rebalance it prints a plan that
        spreads the topics' replicas (and leaders) evenly over every live broker, and starts it with --execute.
        Prints one line per partition ("Reassigning orders-0: [1,2,3] -> [2,3,4]"), or the Kafka error and exits 1.

        Options:
          --topic T                a topic; repeat for several (--rebalance)
          --partition P            the partition to move or cancel (with --replicas or --cancel)
          --replicas B1,B2,...     the new replicas as broker ids, the preferred leader first; the count may differ
                                   from the current one (it changes the partition's replication factor)
          --rebalance              plan moves from the busiest to the idlest brokers until no broker holds two
                                   replicas more than another (a moved first replica moves leadership too)
          --max-moves N            at most N partitions in one plan, default 10
          --execute                start the --rebalance plan (without it the plan is only printed)
          --cancel                 cancel the partition's reassignment: it returns to its original replicas
          --wait                   wait until the reassignments are done, printing progress
          --timeout SECONDS        how long --wait waits, default 600
          --bootstrap H:P          a broker's Kafka listener, default 127.0.0.1:9092

        Examples:
          actorbroker partitions reassign --topic orders --partition 0 --replicas 2,3,4 --wait
          actorbroker partitions reassign --topic orders --rebalance                 # print the plan
          actorbroker partitions reassign --topic orders --rebalance --execute --wait
          actorbroker partitions reassign --topic orders --partition 0 --cancel
        """;

    public const string ReassignmentsHelp = """
        actorbroker partitions reassignments [--topic T ...] [--bootstrap H:P]

        Lists the reassignments in progress: each partition's replicas now, the ones being added (still copying the
        log) and the ones to be removed at the switch. Prints "No reassignments in progress." when there are none.

        Example:
          actorbroker partitions reassignments --topic orders
        """;

    private const string TopicOption = "topic";

    private static readonly Subcommand[] All =
    [
        new("reassign", ReassignHelp, AdminOptions.With(TopicOption, "partition", "replicas", "max-moves", "timeout"), ["rebalance", "execute", "cancel", "wait"], ReassignAsync),
        new("reassignments", ReassignmentsHelp, AdminOptions.With(TopicOption), [], ListAsync),
    ];

    public static Task<int> RunAsync(string[] args, CancellationToken cancellationToken) =>
        Subcommands.RunAsync("partitions", Help, All, args, cancellationToken);

    private static async Task<int> ReassignAsync(CommandLine line, CancellationToken cancellationToken)
    {
        if (line.Positional.Count > 0)
            throw new UsageException($"partitions reassign takes options only, but got: {string.Join(" ", line.Positional)}.");
        var topics = line.Values(TopicOption);
        if (topics.Count == 0)
            throw new UsageException("Missing --topic.");
        int modes = (line.Value("replicas") is null ? 0 : 1) + (line.Has("rebalance") ? 1 : 0) + (line.Has("cancel") ? 1 : 0);
        if (modes != 1)
            throw new UsageException("Give exactly one of --replicas B1,B2,..., --rebalance or --cancel.");
        if (line.Has("execute") && !line.Has("rebalance"))
            throw new UsageException("--execute starts a --rebalance plan; --replicas and --cancel act at once without it.");
        if (line.Value("partition") is not null && line.Has("rebalance"))
            throw new UsageException("--rebalance plans whole topics; leave out --partition, or give --replicas for one partition.");
        var timeout = TimeSpan.FromSeconds(line.Int("timeout") ?? 600);

        await using var connection = await AdminOptions.ConnectAsync(line, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<PartitionReplicas> moves;
        if (line.Has("rebalance"))
        {
            moves = await PlanRebalanceAsync(connection, topics, line.Int("max-moves") ?? 10, cancellationToken).ConfigureAwait(false);
            if (moves.Count == 0)
            {
                Console.WriteLine("The replicas are already spread evenly over the live brokers; nothing to move.");
                return 0;
            }
            if (!line.Has("execute"))
            {
                var current = await ReplicasAsync(connection, topics, cancellationToken).ConfigureAwait(false);
                foreach (var move in moves)
                    Console.WriteLine($"Would reassign {move.Partition}: [{Join(current[move.Partition])}] -> [{Join(move.Replicas)}]");
                Console.WriteLine("Run again with --execute to start these reassignments.");
                return 0;
            }
        }
        else
        {
            if (topics.Count > 1)
                throw new UsageException("--replicas and --cancel take one --topic.");
            int partition = line.Int("partition") ?? throw new UsageException("Missing --partition.");
            var replicas = line.Value("replicas") is { } list ? ParseReplicas(list) : null;
            moves = [new PartitionReplicas(new TopicPartition(topics[0], partition), replicas is null ? default : [.. replicas])];
        }

        var before = await ReplicasAsync(connection, moves.Select(m => m.Partition.Topic).Distinct().ToList(), cancellationToken).ConfigureAwait(false);
        bool failed = await SubmitAsync(connection, moves, before, cancellationToken).ConfigureAwait(false);
        if (failed)
            return 1;
        return line.Has("wait") ? await WaitAsync(connection, moves.Select(m => m.Partition).ToList(), timeout, cancellationToken).ConfigureAwait(false) : 0;
    }

    private static List<int> ParseReplicas(string list)
    {
        var parts = list.Split(',', StringSplitOptions.TrimEntries);
        var ids = parts.Select(p => int.TryParse(p, out int id) ? id : (int?)null).ToList();
        if (parts.Length == 0 || ids.Any(id => id is null))
            throw new UsageException($"--replicas takes broker ids separated by commas (e.g. 2,3,4), but is '{list}'.");
        return ids.Select(id => id!.Value).ToList();
    }

    /// <summary>Sends the reassignments (default replicas: cancel) and prints one line per partition; true if any failed.</summary>
    private static async Task<bool> SubmitAsync(KafkaAdminConnection connection, IReadOnlyList<PartitionReplicas> moves,
        IReadOnlyDictionary<TopicPartition, IReadOnlyList<int>> before, CancellationToken cancellationToken)
    {
        var response = await connection.AlterPartitionReassignmentsAsync(new AlterPartitionReassignmentsRequest
        {
            TimeoutMs = 30_000,
            Topics = moves.GroupBy(m => m.Partition.Topic).Select(topic => new AlterPartitionReassignmentsRequest.ReassignableTopic
            {
                Name = topic.Key,
                Partitions = topic.Select(m => new AlterPartitionReassignmentsRequest.ReassignablePartition
                {
                    PartitionIndex = m.Partition.Partition,
                    Replicas = m.Replicas.IsDefault ? null : [.. m.Replicas],
                }).ToList(),
            }).ToList(),
        }, cancellationToken).ConfigureAwait(false);
        KafkaErrors.ThrowIfError(response.ErrorCode, response.ErrorMessage, "reassigning partitions");
        bool failed = false;
        foreach (var topic in response.Responses)
        {
            foreach (var result in topic.Partitions)
            {
                var partition = new TopicPartition(topic.Name, result.PartitionIndex);
                var move = moves.First(m => m.Partition == partition);
                string doing = move.Replicas.IsDefault ? $"cancelling the reassignment of {partition}" : $"reassigning {partition}";
                if (result.ErrorCode != (short)ErrorCode.None)
                {
                    failed = true;
                    Console.Error.WriteLine($"actorbroker: {KafkaErrors.Describe(result.ErrorCode, result.ErrorMessage, doing)}");
                    continue;
                }
                string from = before.TryGetValue(partition, out var replicas) ? Join(replicas) : "?";
                Console.WriteLine(move.Replicas.IsDefault
                    ? $"Cancelled the reassignment of {partition} (replicas were [{from}])"
                    : $"Reassigning {partition}: [{from}] -> [{Join(move.Replicas)}]");
            }
        }
        return failed;
    }

    /// <summary>Polls until none of <paramref name="partitions"/> is being reassigned, printing progress when it changes.</summary>
    private static async Task<int> WaitAsync(KafkaAdminConnection connection, IReadOnlyList<TopicPartition> partitions, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        var topics = partitions.Select(p => p.Topic).Distinct().ToList();
        string last = "";
        while (true)
        {
            var ongoing = await OngoingAsync(connection, partitions, cancellationToken).ConfigureAwait(false);
            var isr = await IsrAsync(connection, topics, cancellationToken).ConfigureAwait(false);
            if (ongoing.Count == 0)
                break;
            string progress = string.Join("; ", ongoing.Select(o =>
                $"{o.Partition} copying to [{Join(o.Adding)}] (in sync: {Join(isr.GetValueOrDefault(o.Partition) ?? [])})"));
            if (progress != last)
                Console.WriteLine($"{(DateTime.UtcNow - started).TotalSeconds,5:0}s  {ongoing.Count} of {partitions.Count} in progress: {progress}");
            last = progress;
            if (DateTime.UtcNow - started > timeout)
                throw new CommandFailedException(
                    $"{ongoing.Count} reassignment(s) still in progress after {timeout.TotalSeconds:0} s. They go on: watch them with " +
                    "`actorbroker partitions reassignments`, check the new replicas' nodes with `actorbroker cluster status`, " +
                    "or cancel one with `actorbroker partitions reassign --topic T --partition P --cancel`.");
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
        var after = await ReplicasAsync(connection, topics, cancellationToken).ConfigureAwait(false);
        var leaders = await LeadersAsync(connection, topics, cancellationToken).ConfigureAwait(false);
        Console.WriteLine($"Done in {(DateTime.UtcNow - started).TotalSeconds:0.0} s:");
        foreach (var partition in partitions)
            Console.WriteLine($"\t{partition}\tLeader: {leaders.GetValueOrDefault(partition, -1)}\tReplicas: {Join(after.GetValueOrDefault(partition) ?? [])}");
        return 0;
    }

    private static async Task<int> ListAsync(CommandLine line, CancellationToken cancellationToken)
    {
        if (line.Positional.Count > 0)
            throw new UsageException($"partitions reassignments takes no arguments, but got: {string.Join(" ", line.Positional)}.");
        var topics = line.Values(TopicOption);
        await using var connection = await AdminOptions.ConnectAsync(line, cancellationToken).ConfigureAwait(false);
        var ongoing = await OngoingAsync(connection, null, cancellationToken).ConfigureAwait(false);
        var shown = ongoing.Where(o => topics.Count == 0 || topics.Contains(o.Partition.Topic)).ToList();
        if (shown.Count == 0)
            Console.WriteLine("No reassignments in progress.");
        foreach (var o in shown)
            Console.WriteLine($"{o.Partition}\tReplicas: {Join(o.Replicas)}\tAdding: {Join(o.Adding)}\tRemoving: {Join(o.Removing)}");
        return 0;
    }

    private static async Task<IReadOnlyList<PartitionReplicas>> PlanRebalanceAsync(KafkaAdminConnection connection, IReadOnlyList<string> topics, int maxMoves, CancellationToken cancellationToken)
    {
        var metadata = await connection.MetadataAsync(new MetadataRequest { Topics = [], AllowAutoTopicCreation = false }, cancellationToken).ConfigureAwait(false);
        var current = await ReplicasAsync(connection, topics, cancellationToken).ConfigureAwait(false);
        var moving = (await OngoingAsync(connection, null, cancellationToken).ConfigureAwait(false)).Select(o => o.Partition).ToHashSet();
        var placed = current.Where(c => !moving.Contains(c.Key))
            .Select(c => new PartitionReplicas(c.Key, [.. c.Value])).OrderBy(p => p.Partition.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition.Partition).ToList();
        return RebalancePlanner.Plan(placed, metadata.Brokers.Select(b => b.NodeId), maxMoves);
    }

    private static async Task<List<OngoingReassignment>> OngoingAsync(KafkaAdminConnection connection, IReadOnlyList<TopicPartition>? partitions, CancellationToken cancellationToken)
    {
        var response = await connection.ListPartitionReassignmentsAsync(new ListPartitionReassignmentsRequest
        {
            TimeoutMs = 30_000,
            Topics = partitions?.GroupBy(p => p.Topic).Select(t => new ListPartitionReassignmentsRequest.ListPartitionReassignmentsTopics
            {
                Name = t.Key,
                PartitionIndexes = t.Select(p => p.Partition).ToList(),
            }).ToList(),
        }, cancellationToken).ConfigureAwait(false);
        KafkaErrors.ThrowIfError(response.ErrorCode, response.ErrorMessage, "listing partition reassignments");
        return response.Topics.SelectMany(t => t.Partitions.Select(p => new OngoingReassignment(
            new TopicPartition(t.Name, p.PartitionIndex), [.. p.Replicas], [.. p.AddingReplicas], [.. p.RemovingReplicas]))).ToList();
    }

    private static async Task<Dictionary<TopicPartition, MetadataResponse.MetadataResponsePartition>> PartitionsAsync(
        KafkaAdminConnection connection, IReadOnlyList<string> topics, CancellationToken cancellationToken)
    {
        var partitions = new Dictionary<TopicPartition, MetadataResponse.MetadataResponsePartition>();
        foreach (string topic in topics)
        {
            var described = await TopicsCommand.DescribeTopicAsync(connection, topic, cancellationToken).ConfigureAwait(false);
            foreach (var p in described.Partitions)
                partitions[new TopicPartition(topic, p.PartitionIndex)] = p;
        }
        return partitions;
    }

    private static async Task<Dictionary<TopicPartition, IReadOnlyList<int>>> ReplicasAsync(KafkaAdminConnection connection, IReadOnlyList<string> topics, CancellationToken cancellationToken) =>
        (await PartitionsAsync(connection, topics, cancellationToken).ConfigureAwait(false)).ToDictionary(p => p.Key, p => (IReadOnlyList<int>)p.Value.ReplicaNodes);

    private static async Task<Dictionary<TopicPartition, IReadOnlyList<int>>> IsrAsync(KafkaAdminConnection connection, IReadOnlyList<string> topics, CancellationToken cancellationToken) =>
        (await PartitionsAsync(connection, topics, cancellationToken).ConfigureAwait(false)).ToDictionary(p => p.Key, p => (IReadOnlyList<int>)p.Value.IsrNodes);

    private static async Task<Dictionary<TopicPartition, int>> LeadersAsync(KafkaAdminConnection connection, IReadOnlyList<string> topics, CancellationToken cancellationToken) =>
        (await PartitionsAsync(connection, topics, cancellationToken).ConfigureAwait(false)).ToDictionary(p => p.Key, p => p.Value.LeaderId);

    private static string Join(IEnumerable<int> ids) => string.Join(",", ids);
}
