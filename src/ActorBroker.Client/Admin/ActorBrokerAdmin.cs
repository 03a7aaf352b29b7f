using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;
using ActorBroker.Cluster;
using ActorBroker.Cluster.Groups;
using ActorBroker.Cluster.Membership;
using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;
using AkkaCluster = Akka.Cluster.Cluster;

namespace ActorBroker.Client.Admin;

/// <summary>A member of the cluster as this client sees it; <see cref="Broker"/> is null for clients and tools.</summary>
public sealed record ClusterMember(string Address, string Status, bool Reachable, IReadOnlyList<string> Roles, BrokerIdentity? Broker);

/// <summary>
/// Topic, group and cluster administration through the registry singleton and the group coordinators — the same
/// actors the Kafka admin APIs reach. Failures are <see cref="ActorBrokerException"/>s with Kafka's error codes.
/// </summary>
public sealed class ActorBrokerAdmin
{
    private readonly ActorBrokerClient _client;

    internal ActorBrokerAdmin(ActorBrokerClient client) => _client = client;

    /// <summary>Creates a topic; -1 partitions or replicas means the brokers' defaults.</summary>
    public async Task<TopicDescription> CreateTopicAsync(
        string name, int partitions = -1, short replicationFactor = -1, IReadOnlyDictionary<string, string>? configs = null,
        CancellationToken cancellationToken = default)
    {
        var result = await _client.AskAsync<CreateTopicResult>(c => c.Topics, new CreateTopic(name, partitions, replicationFactor,
            (configs ?? ImmutableSortedDictionary<string, string>.Empty).ToImmutableSortedDictionary(StringComparer.Ordinal)), cancellationToken).ConfigureAwait(false);
        ActorBrokerException.ThrowIfError(result.Error, result.ErrorMessage, $"Creating topic '{name}'");
        return result.Topic!;
    }

    public async Task DeleteTopicAsync(string name, CancellationToken cancellationToken = default)
    {
        var result = await _client.AskAsync<DeleteTopicResult>(c => c.Topics, new DeleteTopic(name), cancellationToken).ConfigureAwait(false);
        _client.Topics.Forget(name);
        ActorBrokerException.ThrowIfError(result.Error, result.ErrorMessage, $"Deleting topic '{name}'");
    }

    /// <summary>The named topics (every topic when <paramref name="names"/> is null); an unknown name throws UNKNOWN_TOPIC_OR_PARTITION.</summary>
    public async Task<IReadOnlyList<TopicDescription>> DescribeTopicsAsync(IReadOnlyList<string>? names = null, CancellationToken cancellationToken = default)
    {
        var lookups = await _client.Topics.DescribeAsync(names, autoCreate: false, cancellationToken).ConfigureAwait(false);
        foreach (var lookup in lookups.Where(l => l.Topic is null))
            throw new ActorBrokerException(lookup.Error == ErrorCode.None ? ErrorCode.UnknownTopicOrPartition : lookup.Error, $"Topic '{lookup.Name}' is not known.");
        return lookups.Select(l => l.Topic!).ToList();
    }

    public async Task<GroupDescription> DescribeGroupAsync(string groupId, CancellationToken cancellationToken = default)
    {
        var description = await _client.AskAsync<GroupDescription>(c => c.Groups, new DescribeGroup(groupId), cancellationToken).ConfigureAwait(false);
        ActorBrokerException.ThrowIfError(description.Error, null, $"Describing group '{groupId}'");
        return description;
    }

    /// <summary>Every live group: the group entities running on each broker's "group" region, described.</summary>
    public async Task<IReadOnlyList<GroupDescription>> ListGroupsAsync(CancellationToken cancellationToken = default)
    {
        var connection = await _client.ConnectionAsync(_client.Options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        var regions = connection.Brokers.Reachable.Select(b =>
            connection.System.ActorSelection(new RootActorPath(b.Address) / "system" / "sharding" / BrokerServices.GroupTypeName));
        var states = await Task.WhenAll(regions.Select(r => ActorBrokerClient.AnswerAsync(
            r.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, _client.Options.RequestTimeout, cancellationToken),
            GetShardRegionState.Instance, _client.Options.RequestTimeout))).ConfigureAwait(false);
        var ids = states.SelectMany(s => s.Shards).SelectMany(s => s.EntityIds).Distinct().Order(StringComparer.Ordinal);
        var groups = await Task.WhenAll(ids.Select(id => DescribeGroupAsync(id, cancellationToken))).ConfigureAwait(false);
        return groups.Where(g => g.State != nameof(GroupPhase.Dead)).ToList();
    }

    /// <summary>The cluster's members as this client sees them now (brokers carry their <see cref="BrokerIdentity"/>).</summary>
    public IReadOnlyList<ClusterMember> ClusterMembers()
    {
        var connection = _client.CurrentConnection
            ?? throw new ActorBrokerException(ErrorCode.BrokerNotAvailable, "The client is reconnecting to the cluster.");
        var state = AkkaCluster.Get(connection.System).State;
        return state.Members
            .Select(m => new ClusterMember(m.Address.ToString(), m.Status.ToString(), !state.Unreachable.Contains(m), m.Roles.Order(StringComparer.Ordinal).ToList(), BrokerIdentity.Of(m)))
            .ToList();
    }
}
