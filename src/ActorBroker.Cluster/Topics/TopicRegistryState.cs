using System.Collections.Immutable;
using ActorBroker.Protocol;

namespace ActorBroker.Cluster.Topics;

/// <summary>What a command decides: the events to persist (possibly none) and the reply to send after them.</summary>
public sealed record Decision(IReadOnlyList<object> Events, object Reply);

/// <summary>
/// The topic registry's state and decisions, free of actors: <see cref="Decide"/> answers a command with the
/// events to persist and the reply; <see cref="Apply"/> folds an event in. Immutable.
/// </summary>
public sealed partial record TopicRegistryState(ImmutableSortedDictionary<string, TopicDescription> Topics)
{
    public static TopicRegistryState Empty { get; } = new(ImmutableSortedDictionary<string, TopicDescription>.Empty);

    public TopicRegistryState Apply(object @event) => @event switch
    {
        TopicCreated created => this with { Topics = Topics.SetItem(created.Topic.Name, created.Topic) },
        TopicDeleted deleted => this with { Topics = Topics.Remove(deleted.Name) },
        TopicConfigsChanged changed when Topics.TryGetValue(changed.Name, out var topic) && topic.TopicId == changed.TopicId =>
            this with { Topics = Topics.SetItem(changed.Name, topic with { Configs = changed.Configs }) },
        PartitionsAdded added when Topics.TryGetValue(added.Name, out var topic) && topic.TopicId == added.TopicId =>
            this with
            {
                Topics = Topics.SetItem(added.Name, topic with
                {
                    PartitionCount = topic.PartitionCount + added.Added.Length,
                    Assignments = topic.Assignments.AddRange(added.Added),
                }),
            },
        PartitionAssignmentChanged changed when Topics.TryGetValue(changed.Topic, out var topic) && topic.TopicId == changed.TopicId
                                                && changed.Partition < topic.Assignments.Length =>
            this with { Topics = Topics.SetItem(changed.Topic, topic with { Assignments = topic.Assignments.SetItem(changed.Partition, changed.Assignment) }) },
        _ => this,
    };

    /// <param name="brokers">The node ids that may host partitions now (Up broker members); new topics are placed on them.</param>
    public Decision Decide(object command, ActorBrokerSettings settings, Func<Guid> newTopicId, IReadOnlyCollection<int> brokers) => command switch
    {
        CreateTopic create => DecideCreate(create, settings, newTopicId, brokers),
        DeleteTopic delete => DecideDelete(delete),
        DescribeTopics describe => DecideDescribe(describe, settings, newTopicId, brokers),
        ReplaceTopicConfigs replace => DecideReplaceConfigs(replace),
        AlterTopicConfigs alter => DecideAlterConfigs(alter, settings),
        BecomeLeader become => DecideBecomeLeader(become),
        AlterIsr alter => DecideAlterIsr(alter, brokers),
        AddPartitions add => DecideAddPartitions(add, brokers),
        AlterReassignments alter => DecideAlterReassignments(alter, brokers),
        ListReassignments list => new Decision([], ListReassignments(list)),
        LocatePartition locate => new Decision([], Locate(locate.EntityId)),
        GetPartitionLeaders => new Decision([], new PartitionLeaders(LeadersByEntityId())),
        _ => throw new ArgumentException($"Not a topic registry command: {command.GetType().Name}", nameof(command)),
    };

    /// <summary>
    /// Re-elects the leader of every partition for the brokers now <paramref name="eligible"/> to lead and
    /// <paramref name="present"/> (see <see cref="PartitionAssignment.Reelect"/>): one
    /// <see cref="PartitionAssignmentChanged"/> per changed partition.
    /// </summary>
    public IReadOnlyList<PartitionAssignmentChanged> DecideMembership(IReadOnlySet<int> eligible, IReadOnlySet<int> present, ActorBrokerSettings settings)
    {
        var events = new List<PartitionAssignmentChanged>();
        foreach (var topic in Topics.Values)
        {
            bool unclean = TopicConfigs.Effective(topic, settings)[TopicConfigs.UncleanLeaderElectionEnable] == "true";
            for (int p = 0; p < topic.Assignments.Length; p++)
            {
                var next = topic.Assignments[p].Reelect(eligible, present, unclean);
                if (next != topic.Assignments[p])
                    events.Add(new PartitionAssignmentChanged(topic.Name, topic.TopicId, p, next));
            }
        }
        return events;
    }

    /// <summary>Topics recovered from a journal written before placement existed (single node) live on <paramref name="nodeId"/>.</summary>
    public TopicRegistryState WithLegacyPlacement(int nodeId) => this with
    {
        Topics = Topics.SetItems(Topics.Values
            .Where(t => t.Assignments.Length < t.PartitionCount)
            .Select(t => KeyValuePair.Create(t.Name, t with
            {
                Assignments = Enumerable.Range(0, t.PartitionCount)
                    .Select(p => p < t.Assignments.Length ? t.Assignments[p] : PartitionAssignment.Initial([nodeId]))
                    .ToImmutableArray(),
            }))),
    };

    private int PlacedPartitions => Topics.Values.Sum(t => t.PartitionCount);

    private PartitionLocation Locate(string entityId)
    {
        var partition = TopicPartition.ParseEntityId(entityId);
        return Topics.TryGetValue(partition.Topic, out var topic) && partition.Partition < topic.Assignments.Length
            ? new PartitionLocation(entityId, Exists: true, topic.Assignments[partition.Partition].Leader)
            : new PartitionLocation(entityId, Exists: false, PartitionAssignment.NoLeader);
    }

    private ImmutableDictionary<string, int> LeadersByEntityId() =>
        Topics.Values
            .SelectMany(t => t.Assignments.Select((a, p) => KeyValuePair.Create(new TopicPartition(t.Name, p).EntityId, a.Leader)))
            .ToImmutableDictionary();

    private Decision DecideBecomeLeader(BecomeLeader become)
    {
        var (name, partition) = become.Partition;
        if (!Topics.TryGetValue(name, out var topic) || partition >= topic.Assignments.Length)
            return new Decision([], new LeadershipResult(ErrorCode.UnknownTopicOrPartition, $"Topic partition {become.Partition} does not exist.", null, -1));
        var assignment = topic.Assignments[partition];
        if (assignment.Leader != become.NodeId)
            return new Decision([], new LeadershipResult(ErrorCode.NotLeaderOrFollower,
                $"Node {become.NodeId} is not the leader of {become.Partition} (the leader is {assignment.Leader}).", topic, assignment.LeaderEpoch));
        var next = assignment with { LeaderEpoch = Math.Max(assignment.LeaderEpoch + 1, become.MinEpoch) };
        var changed = new PartitionAssignmentChanged(name, topic.TopicId, partition, next);
        return new Decision([changed], new LeadershipResult(ErrorCode.None, null, Apply(changed).Topics[name], next.LeaderEpoch));
    }

    private Decision DecideAddPartitions(AddPartitions add, IReadOnlyCollection<int> brokers)
    {
        AddPartitionsResult Fail(ErrorCode error, string message) => new(add.Name, error, message);

        if (!Topics.TryGetValue(add.Name, out var topic))
            return new Decision([], Fail(ErrorCode.UnknownTopicOrPartition, $"Topic '{add.Name}' does not exist."));
        int adding = add.TotalCount - topic.PartitionCount;
        if (adding <= 0)
            return new Decision([], Fail(ErrorCode.InvalidPartitions,
                $"Topic currently has {topic.PartitionCount} partitions, which is higher than or equal to the requested {add.TotalCount}."));
        ImmutableArray<PartitionAssignment> added;
        if (add.Assignments is { } manual)
        {
            if (manual.Count != adding)
                return new Decision([], Fail(ErrorCode.InvalidReplicaAssignment,
                    $"Increasing the number of partitions by {adding} but {manual.Count} assignments provided."));
            var invalid = manual.FirstOrDefault(r => r.Count != topic.ReplicationFactor || r.Distinct().Count() != r.Count || r.Any(b => !brokers.Contains(b)));
            if (invalid is not null)
                return new Decision([], Fail(ErrorCode.InvalidReplicaAssignment,
                    $"Assignment [{string.Join(",", invalid)}] must name {topic.ReplicationFactor} distinct live brokers of [{string.Join(",", brokers.Order())}]."));
            added = manual.Select(r => PartitionAssignment.Initial([.. r])).ToImmutableArray();
        }
        else
        {
            if (topic.ReplicationFactor > brokers.Count)
                return new Decision([], Fail(ErrorCode.InvalidReplicationFactor,
                    $"Replication factor {topic.ReplicationFactor} is larger than the {brokers.Count} broker(s) available."));
            added = ReplicaPlacement.Assign(topic.PartitionCount, adding, topic.ReplicationFactor, brokers, PlacedPartitions);
        }
        var reply = new AddPartitionsResult(add.Name, ErrorCode.None, null);
        return add.ValidateOnly ? new Decision([], reply) : new Decision([new PartitionsAdded(add.Name, topic.TopicId, added)], reply);
    }

    /// <summary>
    /// A leader's ISR change, checked against its epoch. A replica may join the ISR only while its broker is Up
    /// (<paramref name="brokers"/>): a leader's view of a dead follower's progress is stale, and re-admitting it would
    /// let acks=all count a replica that is gone (Kafka's controller likewise refuses fenced brokers, KIP-841).
    /// </summary>
    private Decision DecideAlterIsr(AlterIsr alter, IReadOnlyCollection<int> brokers)
    {
        var (name, partition) = alter.Partition;
        if (!Topics.TryGetValue(name, out var topic) || partition >= topic.Assignments.Length)
            return new Decision([], new AlterIsrResult(ErrorCode.UnknownTopicOrPartition, $"Topic partition {alter.Partition} does not exist.", null));
        var assignment = topic.Assignments[partition];
        if (assignment.Leader != alter.Leader || assignment.LeaderEpoch != alter.LeaderEpoch)
            return new Decision([], new AlterIsrResult(ErrorCode.FencedLeaderEpoch,
                $"Node {alter.Leader} in epoch {alter.LeaderEpoch} no longer leads {alter.Partition} (leader {assignment.Leader}, epoch {assignment.LeaderEpoch}).", assignment));
        if (!alter.Isr.Contains(alter.Leader) || alter.Isr.Any(r => !assignment.Replicas.Contains(r)))
            return new Decision([], new AlterIsrResult(ErrorCode.InvalidRequest,
                $"ISR [{string.Join(",", alter.Isr)}] of {alter.Partition} must hold the leader and only replicas [{string.Join(",", assignment.Replicas)}].", assignment));
        var ineligible = alter.Isr.Where(r => !assignment.Isr.Contains(r) && !brokers.Contains(r)).ToList();
        if (ineligible.Count > 0)
            return new Decision([], new AlterIsrResult(ErrorCode.IneligibleReplica,
                $"Node(s) {string.Join(",", ineligible)} may not join the ISR of {alter.Partition}: not an Up broker.", assignment));
        var next = assignment with { Isr = alter.Isr };
        return next == assignment
            ? new Decision([], new AlterIsrResult(ErrorCode.None, null, assignment))
            : new Decision([new PartitionAssignmentChanged(name, topic.TopicId, partition, next)], new AlterIsrResult(ErrorCode.None, null, next));
    }

    /// <summary>Places a new topic's partitions, or says why it cannot (fewer brokers than replicas).</summary>
    private (ImmutableArray<PartitionAssignment> Assignments, string? Error) Place(int partitions, short replicationFactor, IReadOnlyCollection<int> brokers)
    {
        if (replicationFactor > brokers.Count)
            return ([], $"Replication factor {replicationFactor} is larger than the {brokers.Count} broker(s) available.");
        return (ReplicaPlacement.Assign(0, partitions, replicationFactor, brokers, PlacedPartitions), null);
    }

    private Decision DecideCreate(CreateTopic create, ActorBrokerSettings settings, Func<Guid> newTopicId, IReadOnlyCollection<int> brokers)
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
        if (TopicConfigs.Validate(create.Configs) is { } invalidConfig)
            return new Decision([], Fail(ErrorCode.InvalidConfig, invalidConfig));
        int partitions = create.Partitions == -1 ? settings.DefaultPartitions : create.Partitions;
        var (assignments, placementError) = Place(partitions, replicationFactor, brokers);
        if (placementError is not null)
            return new Decision([], Fail(ErrorCode.InvalidReplicationFactor, placementError));

        var topic = new TopicDescription(create.Name, newTopicId(), partitions, replicationFactor, create.Configs) { Assignments = assignments };
        var reply = new CreateTopicResult(create.Name, ErrorCode.None, null, topic);
        return create.ValidateOnly ? new Decision([], reply) : new Decision([new TopicCreated(topic)], reply);
    }

    private Decision DecideDelete(DeleteTopic delete)
    {
        if (!Topics.TryGetValue(delete.Name, out var topic))
            return new Decision([], new DeleteTopicResult(delete.Name, ErrorCode.UnknownTopicOrPartition, $"Topic '{delete.Name}' does not exist.", Guid.Empty));
        return new Decision([new TopicDeleted(topic.Name, topic.TopicId, topic.PartitionCount)], new DeleteTopicResult(topic.Name, ErrorCode.None, null, topic.TopicId));
    }

    private Decision DecideDescribe(DescribeTopics describe, ActorBrokerSettings settings, Func<Guid> newTopicId, IReadOnlyCollection<int> brokers)
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
            var (assignments, placementError) = state.Place(settings.DefaultPartitions, settings.DefaultReplicationFactor, brokers);
            if (placementError is not null)
            {
                lookups.Add(new TopicLookup(name, ErrorCode.LeaderNotAvailable, null));
                continue;
            }
            var created = new TopicCreated(new TopicDescription(
                name, newTopicId(), settings.DefaultPartitions, settings.DefaultReplicationFactor,
                ImmutableSortedDictionary<string, string>.Empty) { Assignments = assignments });
            events.Add(created);
            state = state.Apply(created);
            lookups.Add(new TopicLookup(name, ErrorCode.None, created.Topic));
        }
        return new Decision(events, new DescribeTopicsResult(lookups));
    }

    /// <summary>The topic configs whose values are comma-separated lists, the only ones APPEND and SUBTRACT apply to.</summary>
    private static readonly ImmutableHashSet<string> ListConfigs = [TopicConfigs.CleanupPolicy];

    private Decision DecideReplaceConfigs(ReplaceTopicConfigs replace)
    {
        if (!Topics.TryGetValue(replace.Name, out var topic))
            return ConfigsFailed(replace.Name, ErrorCode.UnknownTopicOrPartition, $"Topic '{replace.Name}' does not exist.");
        var nulls = replace.Configs.Where(c => c.Value is null).Select(c => c.Key).Order(StringComparer.Ordinal).ToList();
        if (nulls.Count > 0)
            return ConfigsFailed(replace.Name, ErrorCode.InvalidRequest, $"Null value not supported for: {string.Join(", ", nulls)}.");
        var configs = replace.Configs.ToImmutableSortedDictionary(c => c.Key, c => c.Value!, StringComparer.Ordinal);
        return DecideConfigsChange(topic, configs, replace.ValidateOnly);
    }

    private Decision DecideAlterConfigs(AlterTopicConfigs alter, ActorBrokerSettings settings)
    {
        if (!Topics.TryGetValue(alter.Name, out var topic))
            return ConfigsFailed(alter.Name, ErrorCode.UnknownTopicOrPartition, $"Topic '{alter.Name}' does not exist.");
        var duplicates = alter.Alterations.GroupBy(a => a.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
            return ConfigsFailed(alter.Name, ErrorCode.InvalidRequest, $"Duplicate config keys in one request: {string.Join(", ", duplicates)}.");

        var known = TopicConfigs.Names.ToHashSet();
        var defaults = TopicConfigs.Defaults(settings);
        var configs = topic.Configs.ToImmutableSortedDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal).ToBuilder();
        foreach (var alteration in alter.Alterations)
        {
            var (name, operation, value) = alteration;
            if (!known.Contains(name))
                return ConfigsFailed(alter.Name, ErrorCode.InvalidConfig,
                    $"Unknown or unsupported topic config '{name}'. Supported: {string.Join(", ", TopicConfigs.Names)}.");
            if (operation != ConfigOperation.Delete && value is null)
                return ConfigsFailed(alter.Name, ErrorCode.InvalidConfig, $"{operation} of config '{name}' needs a value.");
            switch (operation)
            {
                case ConfigOperation.Set:
                    configs[name] = value!;
                    break;
                case ConfigOperation.Delete:
                    configs.Remove(name);
                    break;
                case ConfigOperation.Append or ConfigOperation.Subtract:
                    if (!ListConfigs.Contains(name))
                        return ConfigsFailed(alter.Name, ErrorCode.InvalidConfig,
                            $"{operation} applies only to list configs, and '{name}' is not one.");
                    var items = SplitList(configs.TryGetValue(name, out var current) ? current : defaults[name]);
                    var operands = SplitList(value!);
                    if (operation == ConfigOperation.Append)
                        items.AddRange(operands.Where(o => !items.Contains(o)).Distinct());
                    else
                        items.RemoveAll(operands.Contains);
                    configs[name] = string.Join(",", items);
                    break;
                default:
                    return ConfigsFailed(alter.Name, ErrorCode.InvalidRequest, $"Unknown config operation {(sbyte)operation} for config '{name}'.");
            }
        }
        return DecideConfigsChange(topic, configs.ToImmutable(), alter.ValidateOnly);
    }

    private static List<string> SplitList(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static Decision DecideConfigsChange(TopicDescription topic, ImmutableSortedDictionary<string, string> configs, bool validateOnly)
    {
        if (TopicConfigs.Validate(configs) is { } invalid)
            return ConfigsFailed(topic.Name, ErrorCode.InvalidConfig, invalid);
        var reply = new AlterTopicConfigsResult(topic.Name, ErrorCode.None, null, topic with { Configs = configs });
        bool unchanged = configs.Count == topic.Configs.Count
            && configs.All(c => topic.Configs.TryGetValue(c.Key, out var old) && old == c.Value);
        return validateOnly || unchanged
            ? new Decision([], reply)
            : new Decision([new TopicConfigsChanged(topic.Name, topic.TopicId, configs)], reply);
    }

    private static Decision ConfigsFailed(string name, ErrorCode error, string message) =>
        new([], new AlterTopicConfigsResult(name, error, message, null));
}
