using Akka.Actor;
using ActorBroker.Cluster;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Cluster.Topics;

namespace ActorBroker.Gateway;

/// <summary>The gateway's questions to the broker's actors, with the timeouts that bound them.</summary>
public static class BrokerAsk
{
    public static readonly TimeSpan RegistryTimeout = TimeSpan.FromSeconds(15);

    public static Task<DescribeTopicsResult> DescribeTopicsAsync(
        this BrokerServices broker, IReadOnlyList<string>? names, bool autoCreate, CancellationToken cancellationToken) =>
        broker.Topics.Ask<DescribeTopicsResult>(new DescribeTopics(names, autoCreate), RegistryTimeout, cancellationToken);

    public static Task<T> AskPartitionAsync<T>(
        this BrokerServices broker, IPartitionCommand command, TimeSpan timeout, CancellationToken cancellationToken) =>
        broker.Partitions.Ask<T>(command, timeout, cancellationToken);

    public static Task<T> AskRegistryAsync<T>(this BrokerServices broker, object command, CancellationToken cancellationToken) =>
        broker.Topics.Ask<T>(command, RegistryTimeout, cancellationToken);

    /// <summary>Topics by name, as a lookup table; unknown names map to their lookup error.</summary>
    public static async Task<IReadOnlyDictionary<string, TopicLookup>> LookUpTopicsAsync(
        this BrokerServices broker, IEnumerable<string> names, bool autoCreate, CancellationToken cancellationToken)
    {
        var distinct = names.Distinct().ToList();
        if (distinct.Count == 0)
            return new Dictionary<string, TopicLookup>();
        var result = await broker.DescribeTopicsAsync(distinct, autoCreate, cancellationToken).ConfigureAwait(false);
        return result.Topics.ToDictionary(t => t.Name);
    }
}

/// <summary>Questions to group coordinators.</summary>
public static class GroupAsk
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static Task<T> AskGroupAsync<T>(this BrokerServices broker, Cluster.Groups.IGroupCommand command, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        broker.Groups.Ask<T>(command, timeout ?? DefaultTimeout, cancellationToken);

    /// <summary>Kafka's client host as coordinators report it: "/" and the address.</summary>
    public static string ClientHost(this RequestContext context) =>
        context.RemoteEndPoint is System.Net.IPEndPoint ip ? "/" + ip.Address : "/unknown";
}
