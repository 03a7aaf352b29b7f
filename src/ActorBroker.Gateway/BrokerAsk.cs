using Akka.Actor;
using ActorBroker.Cluster;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Cluster.Topics;

namespace ActorBroker.Gateway;

/// <summary>The gateway's questions to the broker's actors, with the timeouts that bound them.</summary>
public static class BrokerAsk
{
    public static readonly TimeSpan RegistryTimeout = TimeSpan.FromSeconds(15);

    public static Task<T> AskPartitionAsync<T>(
        this BrokerServices broker, IPartitionCommand command, TimeSpan timeout, CancellationToken cancellationToken) =>
        broker.Partitions.Ask<T>(command, timeout, cancellationToken);

    public static Task<T> AskRegistryAsync<T>(this BrokerServices broker, object command, CancellationToken cancellationToken) =>
        broker.Topics.Ask<T>(command, RegistryTimeout, cancellationToken);

    /// <summary>
    /// Topics by name, as a lookup table; unknown names map to their lookup error. Served from the gateway's
    /// topic cache when every name is in it, else from the registry (which refreshes the cache).
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, TopicLookup>> LookUpTopicsAsync(
        this RequestContext context, IEnumerable<string> names, bool autoCreate, CancellationToken cancellationToken)
    {
        var distinct = names.Distinct().ToList();
        if (distinct.Count == 0)
            return new Dictionary<string, TopicLookup>();
        if (context.TopicCache.TryGetAll(distinct) is { } cached)
            return cached;
        var result = await context.DescribeTopicsAsync(distinct, autoCreate, cancellationToken).ConfigureAwait(false);
        return result.Topics.ToDictionary(t => t.Name);
    }

    /// <summary>Asks the registry (never the cache) and refreshes the cache with the answer.</summary>
    public static async Task<DescribeTopicsResult> DescribeTopicsAsync(
        this RequestContext context, IReadOnlyList<string>? names, bool autoCreate, CancellationToken cancellationToken)
    {
        var result = await context.Broker.Topics.Ask<DescribeTopicsResult>(new DescribeTopics(names, autoCreate), RegistryTimeout, cancellationToken).ConfigureAwait(false);
        context.TopicCache.Remember(result.Topics);
        return result;
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
