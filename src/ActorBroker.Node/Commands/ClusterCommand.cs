using ActorBroker.Gateway.Handlers;
using ActorBroker.Node.Admin;
using ActorBroker.Protocol.Messages;

namespace ActorBroker.Node.Commands;

/// <summary><c>actorbroker cluster status</c>: the cluster's members, their state and partitions, over the Kafka protocol.</summary>
public static class ClusterCommand
{
    public const string Help = """
        actorbroker cluster status [--bootstrap H:P]

        Prints the cluster as the broker at --bootstrap sees it: one line per member with its node id, Kafka
        listener, Akka member status (Joining, Up, Leaving, Exiting, Down, ...), whether that broker's failure
        detector can reach it, its Akka address, the partitions it leads and the partitions it follows (a follower
        outside the in-sync replica set is marked *), then a count of members per state, e.g. "3 member(s): 3 Up".
        The controller is the node hosting the topic registry (the oldest broker).

        How it is read: Metadata (brokers, controller, each partition's leader, replicas and ISR) and DescribeConfigs
        for BROKER resources, whose read-only configs actorbroker.member.status, .reachable, .address and .listener
        carry each member's Akka membership; actorbroker.cluster.member-ids lists members that are no longer live.

        Options:
          --bootstrap H:P          a broker's Kafka listener, default 127.0.0.1:9092

        Example:
          actorbroker cluster status --bootstrap 127.0.0.2:9092
        """;

    private const sbyte BrokerResource = 4;

    private static readonly Subcommand[] All = [new("status", Help, AdminOptions.With(), [], StatusAsync)];

    public static Task<int> RunAsync(string[] args, CancellationToken cancellationToken) =>
        Subcommands.RunAsync("cluster", Help, All, args, cancellationToken);

    private static async Task<int> StatusAsync(CommandLine line, CancellationToken cancellationToken)
    {
        if (line.Positional.Count > 0)
            throw new UsageException($"cluster status takes no arguments, but got: {string.Join(" ", line.Positional)}.");

        await using var connection = await AdminOptions.ConnectAsync(line, cancellationToken).ConfigureAwait(false);
        var metadata = await connection.MetadataAsync(new MetadataRequest { Topics = null, AllowAutoTopicCreation = false }, cancellationToken).ConfigureAwait(false);
        var own = await DescribeBrokersAsync(connection, [""], [MemberConfigs.MemberIds], cancellationToken).ConfigureAwait(false);
        var ids = own.GetValueOrDefault("")?.GetValueOrDefault(MemberConfigs.MemberIds, "") ?? "";
        var nodeIds = ids.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Union(metadata.Brokers.Select(b => b.NodeId.ToString()))
            .ToList();
        var members = await DescribeBrokersAsync(connection, nodeIds,
            [MemberConfigs.Status, MemberConfigs.Reachable, MemberConfigs.Address, MemberConfigs.Listener], cancellationToken).ConfigureAwait(false);
        var status = ClusterStatus.From(metadata, members.ToDictionary(m => int.Parse(m.Key), m => m.Value));
        Console.Write(status.Format(connection.Bootstrap));
        return 0;
    }

    /// <summary>The requested configs of each named BROKER resource; resources the broker refused (no longer members) are left out.</summary>
    private static async Task<Dictionary<string, IReadOnlyDictionary<string, string>>> DescribeBrokersAsync(
        KafkaAdminConnection connection, IReadOnlyList<string> names, List<string> keys, CancellationToken cancellationToken)
    {
        var response = await connection.DescribeConfigsAsync(new DescribeConfigsRequest
        {
            Resources = names.Select(n => new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = BrokerResource, ResourceName = n, ConfigurationKeys = keys }).ToList(),
        }, cancellationToken).ConfigureAwait(false);
        return response.Results
            .Where(r => r.ErrorCode == 0)
            .ToDictionary(r => r.ResourceName, r => (IReadOnlyDictionary<string, string>)r.Configs.ToDictionary(c => c.Name, c => c.Value ?? ""));
    }
}
