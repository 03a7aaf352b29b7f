using System.Collections.Immutable;
using ActorBroker.Cluster.Serialization;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using ActorBroker.Cluster.Partitions;

namespace ActorBroker.Cluster.Topics;

/// <summary>
/// The cluster's catalogue of topics: a persistent cluster singleton (persistence id <c>topic-registry</c>).
/// Decisions are made by <see cref="TopicRegistryState"/>; this actor persists, applies and replies.
/// Deleting a topic also tells each of its partitions to delete its log; altering its configs tells each partition
/// the new overrides (<see cref="TopicConfigChanged"/>).
/// </summary>
public sealed class TopicRegistry : ReceivePersistentActor
{
    public const string Name = "topic-registry";
    private const int SnapshotEvery = 100;

    private readonly ActorBrokerSettings _settings;
    private readonly IActorRef _partitions;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private TopicRegistryState _state = TopicRegistryState.Empty;

    public TopicRegistry(ActorBrokerSettings settings, IActorRef partitions)
    {
        _settings = settings;
        _partitions = partitions;

        Recover<TopicCreated>(e => _state = _state.Apply(e));
        Recover<TopicDeleted>(e => _state = _state.Apply(e));
        Recover<TopicConfigsChanged>(e => _state = _state.Apply(e));
        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is TopicRegistrySnapshot snapshot)
                _state = new TopicRegistryState(snapshot.Topics.ToImmutableSortedDictionary(t => t.Name, t => t));
        });
        Recover<RecoveryCompleted>(_ => _log.Info("Topic registry recovered {0} topic(s)", _state.Topics.Count));

        Command<CreateTopic>(Handle);
        Command<DeleteTopic>(Handle);
        Command<DescribeTopics>(Handle);
        Command<ReplaceTopicConfigs>(Handle);
        Command<AlterTopicConfigs>(Handle);
        Command<SaveSnapshotSuccess>(_ => { });
        Command<SaveSnapshotFailure>(f => _log.Warning("Topic registry snapshot failed: {0}", f.Cause.Message));
    }

    public override string PersistenceId => Name;

    public static Props Props(ActorBrokerSettings settings, IActorRef partitions) =>
        Akka.Actor.Props.Create(() => new TopicRegistry(settings, partitions));

    private void Handle(object command)
    {
        var decision = _state.Decide(command, _settings, Guid.NewGuid);
        if (decision.Events.Count == 0)
        {
            Sender.Tell(decision.Reply);
            return;
        }
        var replyTo = Sender;
        int remaining = decision.Events.Count;
        PersistAll(decision.Events, e =>
        {
            _state = _state.Apply(e);
            OnPersisted(e);
            if (--remaining == 0)
                replyTo.Tell(decision.Reply);
        });
    }

    private void OnPersisted(object @event)
    {
        switch (@event)
        {
            case TopicCreated created:
                _log.Info("Created topic {0} with {1} partition(s)", created.Topic.Name, created.Topic.PartitionCount);
                break;
            case TopicDeleted deleted:
                _log.Info("Deleted topic {0}", deleted.Name);
                break;
            case TopicConfigsChanged changed:
                _log.Info("Changed the configs of topic {0} to {{{1}}}", changed.Name,
                    string.Join(", ", changed.Configs.Select(c => $"{c.Key}={c.Value}")));
                break;
        }
        if (LastSequenceNr % SnapshotEvery == 0)
            SaveSnapshot(new TopicRegistrySnapshot(_state.Topics.Values.ToList()));
        if (@event is TopicDeleted topicDeleted)
            TellPartitionsOfDeletedTopic(topicDeleted);
        if (@event is TopicConfigsChanged configsChanged && _state.Topics.TryGetValue(configsChanged.Name, out var topic))
            TellPartitionsOfChangedConfigs(topic);
    }

    private void TellPartitionsOfChangedConfigs(TopicDescription topic)
    {
        foreach (var partition in topic.Partitions)
            _partitions.Tell(new TopicConfigChanged(partition, topic.TopicId, topic.Configs));
    }

    private void TellPartitionsOfDeletedTopic(TopicDeleted deleted)
    {
        for (int p = 0; p < deleted.PartitionCount; p++)
            _partitions.Tell(new DeletePartition(new TopicPartition(deleted.Name, p), deleted.TopicId));
    }
}

public sealed record TopicRegistrySnapshot(IReadOnlyList<TopicDescription> Topics) : IPersistedMessage;
