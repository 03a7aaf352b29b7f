using System.Collections.Immutable;
using ActorBroker.Protocol;

namespace ActorBroker.Cluster.Topics;

/// <summary>What a command decides: the events to persist (possibly none) and the reply to send after them.</summary>
public sealed record Decision(IReadOnlyList<object> Events, object Reply);

/// <summary>
/// The topic registry's state and decisions, free of actors: <see cref="Decide"/> answers a command with the
/// events to persist and the reply; <see cref="Apply"/> folds an event in. Immutable.
/// </summary>
public sealed record TopicRegistryState(ImmutableSortedDictionary<string, TopicDescription> Topics)
{
    public static TopicRegistryState Empty { get; } = new(ImmutableSortedDictionary<string, TopicDescription>.Empty);

    public TopicRegistryState Apply(object @event) => @event switch
    {
        TopicCreated created => this with { Topics = Topics.SetItem(created.Topic.Name, created.Topic) },
        TopicDeleted deleted => this with { Topics = Topics.Remove(deleted.Name) },
        _ => this,
    };

    public Decision Decide(object command, ActorBrokerSettings settings, Func<Guid> newTopicId) => command switch
    {
        CreateTopic create => DecideCreate(create, settings, newTopicId),
        DeleteTopic delete => DecideDelete(delete),
        DescribeTopics describe => DecideDescribe(describe, settings, newTopicId),
        _ => throw new ArgumentException($"Not a topic registry command: {command.GetType().Name}", nameof(command)),
    };

    private Decision DecideCreate(CreateTopic create, ActorBrokerSettings settings, Func<Guid> newTopicId)
    {
        CreateTopicResult Fail(ErrorCode error, string message) => new(create.Name, error, message, null);

        if (TopicNames.Validate(create.Name) is { } invalidName)
            return new Decision([], Fail(ErrorCode.InvalidTopicException, invalidName));
        if (Topics.ContainsKey(create.Name))
            return new Decision([], Fail(ErrorCode.TopicAlreadyExists, $"Topic '{create.Name}' already exists."));
        if (create.Partitions == 0 || create.Partitions < -1)
            return new Decision([], Fail(ErrorCode.InvalidPartitions, $"Number of partitions must be at least 1 (or -1 for the default), but was {create.Partitions}."));
        if (create.ReplicationFactor == 0 || create.ReplicationFactor < -1)
            return new Decision([], Fail(ErrorCode.InvalidReplicationFactor, $"Replication factor must be at least 1 (or -1 for the default), but was {create.ReplicationFactor}."));
        short replicationFactor = create.ReplicationFactor == -1 ? settings.DefaultReplicationFactor : create.ReplicationFactor;
        if (replicationFactor > 1)
            return new Decision([], Fail(ErrorCode.InvalidReplicationFactor, $"Replication factor {replicationFactor} is larger than the 1 broker available."));
        if (TopicConfigs.Validate(create.Configs) is { } invalidConfig)
            return new Decision([], Fail(ErrorCode.InvalidConfig, invalidConfig));

        var topic = new TopicDescription(
            create.Name,
            newTopicId(),
            create.Partitions == -1 ? settings.DefaultPartitions : create.Partitions,
            replicationFactor,
            create.Configs);
        var reply = new CreateTopicResult(create.Name, ErrorCode.None, null, topic);
        return create.ValidateOnly ? new Decision([], reply) : new Decision([new TopicCreated(topic)], reply);
    }

    private Decision DecideDelete(DeleteTopic delete)
    {
        if (!Topics.TryGetValue(delete.Name, out var topic))
            return new Decision([], new DeleteTopicResult(delete.Name, ErrorCode.UnknownTopicOrPartition, $"Topic '{delete.Name}' does not exist.", Guid.Empty));
        return new Decision([new TopicDeleted(topic.Name, topic.TopicId, topic.PartitionCount)], new DeleteTopicResult(topic.Name, ErrorCode.None, null, topic.TopicId));
    }

    private Decision DecideDescribe(DescribeTopics describe, ActorBrokerSettings settings, Func<Guid> newTopicId)
    {
        if (describe.Names is null)
            return new Decision([], new DescribeTopicsResult(Topics.Values.Select(t => new TopicLookup(t.Name, ErrorCode.None, t)).ToList()));

        var events = new List<object>();
        var lookups = new List<TopicLookup>(describe.Names.Count);
        var state = this;
        foreach (var name in describe.Names)
        {
            if (state.Topics.TryGetValue(name, out var existing))
            {
                lookups.Add(new TopicLookup(name, ErrorCode.None, existing));
                continue;
            }
            if (TopicNames.Validate(name) is not null)
            {
                lookups.Add(new TopicLookup(name, ErrorCode.InvalidTopicException, null));
                continue;
            }
            if (!(describe.AutoCreate && settings.AutoCreateTopics))
            {
                lookups.Add(new TopicLookup(name, ErrorCode.UnknownTopicOrPartition, null));
                continue;
            }
            var created = new TopicCreated(new TopicDescription(
                name, newTopicId(), settings.DefaultPartitions, settings.DefaultReplicationFactor,
                ImmutableSortedDictionary<string, string>.Empty));
            events.Add(created);
            state = state.Apply(created);
            lookups.Add(new TopicLookup(name, ErrorCode.None, created.Topic));
        }
        return new Decision(events, new DescribeTopicsResult(lookups));
    }
}
