using ActorBroker.Node.Admin;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;

namespace ActorBroker.Node.Commands;

/// <summary><c>actorbroker topics create|list|describe|delete</c>: topic administration over the Kafka protocol.</summary>
public static class TopicsCommand
{
    public const string Help = """
        actorbroker topics <create|list|describe|delete> [options]

        Administers topics on a running broker, over the Kafka protocol (any node of the cluster will do).

        Commands:
          topics create NAME [--partitions N] [--replication-factor N] [--config k=v ...]
          topics list
          topics describe NAME
          topics delete NAME

        Every command takes --bootstrap H:P (default 127.0.0.1:9092). Run 'actorbroker topics <command> --help'
        for a command's options. Exit codes: 0 done, 1 the broker refused or could not be reached, 2 usage error.
        """;

    public const string CreateHelp = """
        actorbroker topics create NAME [options]

        Creates a topic. Prints "Created topic NAME with N partition(s)", or the Kafka error and exits 1.

        Options:
          --partitions N           number of partitions, default: the broker's actorbroker.default-partitions
          --replication-factor N   copies of each partition, default: the broker's default (at most the broker count)
          --config k=v             a topic config such as retention.ms=86400000 or cleanup.policy=compact;
                                   repeat for several
          --bootstrap H:P          a broker's Kafka listener, default 127.0.0.1:9092

        Examples:
          actorbroker topics create orders --partitions 3
          actorbroker topics create audit --config retention.ms=604800000 --config segment.bytes=104857600
        """;

    public const string ListHelp = """
        actorbroker topics list [--bootstrap H:P]

        Prints the name of every topic, one per line, sorted.

        Options:
          --bootstrap H:P          a broker's Kafka listener, default 127.0.0.1:9092

        Example:
          actorbroker topics list --bootstrap 127.0.0.1:9092
        """;

    public const string DescribeHelp = """
        actorbroker topics describe NAME [--bootstrap H:P]

        Prints a topic's id, partition count and replication factor; for each partition its leader, replicas,
        in-sync replicas and log start and end offsets (ListOffsets); and the topic's configs with where each
        value comes from (DescribeConfigs).

        Options:
          --bootstrap H:P          a broker's Kafka listener, default 127.0.0.1:9092

        Example:
          actorbroker topics describe orders
        """;

    public const string DeleteHelp = """
        actorbroker topics delete NAME [--bootstrap H:P]

        Deletes a topic and all its records. Prints "Deleted topic NAME", or the Kafka error and exits 1.

        Options:
          --bootstrap H:P          a broker's Kafka listener, default 127.0.0.1:9092

        Example:
          actorbroker topics delete orders
        """;

    private const sbyte TopicResourceType = 2;

    private static readonly Subcommand[] All =
    [
        new("create", CreateHelp, AdminOptions.With("partitions", "replication-factor", "config"), [], CreateAsync),
        new("list", ListHelp, AdminOptions.With(), [], ListAsync),
        new("describe", DescribeHelp, AdminOptions.With(), [], DescribeAsync),
        new("delete", DeleteHelp, AdminOptions.With(), [], DeleteAsync),
    ];

    public static Task<int> RunAsync(string[] args, CancellationToken cancellationToken) =>
        Subcommands.RunAsync("topics", Help, All, args, cancellationToken);

    private static async Task<int> CreateAsync(CommandLine line, CancellationToken cancellationToken)
    {
        string name = AdminOptions.SingleName(line, "topic name");
        int partitions = line.Int("partitions") ?? -1;
        int replicationFactor = line.Int("replication-factor") ?? -1;
        if (partitions is 0 or < -1)
            throw new UsageException($"--partitions must be at least 1, but is {partitions}.");
        if (replicationFactor is 0 or < -1 or > short.MaxValue)
            throw new UsageException($"--replication-factor must be at least 1, but is {replicationFactor}.");
        var configs = line.Values("config").Select(ParseConfig).ToList();

        await using var connection = await AdminOptions.ConnectAsync(line, cancellationToken).ConfigureAwait(false);
        var response = await connection.CreateTopicsAsync(new CreateTopicsRequest
        {
            timeoutMs = 30_000,
            Topics =
            [
                new CreateTopicsRequest.CreatableTopic
                {
                    Name = name,
                    NumPartitions = partitions,
                    ReplicationFactor = (short)replicationFactor,
                    Configs = configs,
                },
            ],
        }, cancellationToken).ConfigureAwait(false);
        var result = response.Topics.FirstOrDefault(t => t.Name == name)
            ?? throw new CommandFailedException($"The broker's CreateTopics response has no result for topic '{name}'.");
        KafkaErrors.ThrowIfError(result.ErrorCode, result.ErrorMessage, $"creating topic '{name}'");

        if (partitions == -1)
        {
            // CreateTopics v4 does not say how many partitions the broker's default gave; ask.
            var topic = await DescribeTopicAsync(connection, name, cancellationToken).ConfigureAwait(false);
            partitions = topic.Partitions.Count;
        }
        Console.WriteLine($"Created topic {name} with {partitions} partition(s)");
        return 0;
    }

    private static CreateTopicsRequest.CreatableTopicConfig ParseConfig(string pair)
    {
        int eq = pair.IndexOf('=');
        if (eq <= 0)
            throw new UsageException($"--config takes NAME=VALUE (e.g. retention.ms=86400000), but got '{pair}'.");
        return new CreateTopicsRequest.CreatableTopicConfig { Name = pair[..eq], Value = pair[(eq + 1)..] };
    }

    private static async Task<int> ListAsync(CommandLine line, CancellationToken cancellationToken)
    {
        if (line.Positional.Count > 0)
            throw new UsageException($"topics list takes no arguments, but got: {string.Join(" ", line.Positional)}.");
        await using var connection = await AdminOptions.ConnectAsync(line, cancellationToken).ConfigureAwait(false);
        var response = await connection.MetadataAsync(new MetadataRequest { Topics = null, AllowAutoTopicCreation = false }, cancellationToken).ConfigureAwait(false);
        foreach (var name in response.Topics.Where(t => t.ErrorCode == 0).Select(t => t.Name ?? "").Order(StringComparer.Ordinal))
            Console.WriteLine(name);
        return 0;
    }

    private static async Task<int> DescribeAsync(CommandLine line, CancellationToken cancellationToken)
    {
        string name = AdminOptions.SingleName(line, "topic name");
        await using var connection = await AdminOptions.ConnectAsync(line, cancellationToken).ConfigureAwait(false);
        var topic = await DescribeTopicAsync(connection, name, cancellationToken).ConfigureAwait(false);
        var partitions = topic.Partitions.OrderBy(p => p.PartitionIndex).ToList();

        var offsets = await connection.ListOffsetsAsync(OffsetsRequest(name, partitions, ListOffsetsTimestamp.Earliest), cancellationToken).ConfigureAwait(false);
        var endOffsets = await connection.ListOffsetsAsync(OffsetsRequest(name, partitions, ListOffsetsTimestamp.Latest), cancellationToken).ConfigureAwait(false);
        var configs = await connection.DescribeConfigsAsync(new DescribeConfigsRequest
        {
            Resources = [new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = TopicResourceType, ResourceName = name, ConfigurationKeys = null }],
        }, cancellationToken).ConfigureAwait(false);

        int replicationFactor = partitions.Count == 0 ? 0 : partitions.Max(p => p.ReplicaNodes.Count);
        string topicId = topic.TopicId == Guid.Empty ? "" : $"\tTopicId: {topic.TopicId}"; // Metadata v8 carries no id
        Console.WriteLine($"Topic: {name}{topicId}\tPartitionCount: {partitions.Count}\tReplicationFactor: {replicationFactor}");
        foreach (var p in partitions)
        {
            string start = OffsetText(offsets, p.PartitionIndex);
            string end = OffsetText(endOffsets, p.PartitionIndex);
            string error = p.ErrorCode == 0 ? "" : $"\tError: {KafkaErrors.Name(p.ErrorCode)}";
            Console.WriteLine(
                $"\tPartition: {p.PartitionIndex}\tLeader: {p.LeaderId}\tReplicas: {string.Join(",", p.ReplicaNodes)}\tIsr: {string.Join(",", p.IsrNodes)}" +
                $"\tLogStartOffset: {start}\tLogEndOffset: {end}{error}");
        }

        var result = configs.Results.FirstOrDefault();
        if (result is null)
        {
            Console.WriteLine("Configs: (the broker returned none)");
        }
        else if (result.ErrorCode != 0)
        {
            Console.WriteLine($"Configs: {KafkaErrors.Describe(result.ErrorCode, result.ErrorMessage, "describing configs")}");
        }
        else
        {
            Console.WriteLine("Configs:");
            foreach (var c in result.Configs.OrderBy(c => c.Name, StringComparer.Ordinal))
                Console.WriteLine($"\t{c.Name}={(c.IsSensitive ? "(sensitive)" : c.Value ?? "(null)")}\t({ConfigSourceName(c.ConfigSource)})");
        }
        return 0;
    }

    private static async Task<int> DeleteAsync(CommandLine line, CancellationToken cancellationToken)
    {
        string name = AdminOptions.SingleName(line, "topic name");
        await using var connection = await AdminOptions.ConnectAsync(line, cancellationToken).ConfigureAwait(false);
        var response = await connection.DeleteTopicsAsync(new DeleteTopicsRequest { TopicNames = [name], TimeoutMs = 30_000 }, cancellationToken).ConfigureAwait(false);
        var result = response.Responses.FirstOrDefault(r => r.Name == name)
            ?? throw new CommandFailedException($"The broker's DeleteTopics response has no result for topic '{name}'.");
        KafkaErrors.ThrowIfError(result.ErrorCode, result.ErrorMessage, $"deleting topic '{name}'");
        Console.WriteLine($"Deleted topic {name}");
        return 0;
    }

    /// <summary>Metadata for one existing topic (never auto-creates); a Kafka error fails the command.</summary>
    public static async Task<MetadataResponse.MetadataResponseTopic> DescribeTopicAsync(
        KafkaAdminConnection connection, string name, CancellationToken cancellationToken)
    {
        var response = await connection.MetadataAsync(new MetadataRequest
        {
            Topics = [new MetadataRequest.MetadataRequestTopic { Name = name }],
            AllowAutoTopicCreation = false,
        }, cancellationToken).ConfigureAwait(false);
        var topic = response.Topics.FirstOrDefault(t => t.Name == name)
            ?? throw new CommandFailedException($"The broker's Metadata response has no entry for topic '{name}'.");
        KafkaErrors.ThrowIfError(topic.ErrorCode, null, $"describing topic '{name}'");
        return topic;
    }

    private static ListOffsetsRequest OffsetsRequest(string topic, IEnumerable<MetadataResponse.MetadataResponsePartition> partitions, long timestamp) => new()
    {
        ReplicaId = -1,
        Topics =
        [
            new ListOffsetsRequest.ListOffsetsTopic
            {
                Name = topic,
                Partitions = partitions.Select(p => new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = p.PartitionIndex, Timestamp = timestamp }).ToList(),
            },
        ],
    };

    private static string OffsetText(ListOffsetsResponse response, int partition)
    {
        var p = response.Topics.SelectMany(t => t.Partitions).FirstOrDefault(x => x.PartitionIndex == partition);
        if (p is null)
            return "?";
        return p.ErrorCode == 0 ? p.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture) : KafkaErrors.Name(p.ErrorCode);
    }

    /// <summary>DescribeConfigs v1+ config sources (org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource).</summary>
    private static string ConfigSourceName(sbyte source) => source switch
    {
        1 => "topic",
        2 => "dynamic broker",
        3 => "dynamic default broker",
        4 => "static broker",
        5 => "default",
        6 => "dynamic broker logger",
        7 => "client metrics",
        8 => "group",
        _ => "unknown source",
    };
}

