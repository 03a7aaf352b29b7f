using System.Collections.Immutable;
using ActorBroker.Cluster.Serialization;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Cluster.Membership;
using ActorBroker.Cluster.Replication;
using Akka.Cluster;
using AkkaCluster = Akka.Cluster.Cluster;

namespace ActorBroker.Cluster.Topics;

/// <summary>
/// The cluster's catalogue of topics: a persistent cluster singleton (persistence id <c>topic-registry</c>).
/// Decisions are made by <see cref="TopicRegistryState"/>; this actor persists, applies and replies.
/// Deleting a topic also tells each of its partitions to delete its log; altering its configs tells each partition
/// the new overrides (<see cref="TopicConfigChanged"/>).
///
/// It is also the cluster's controller: it places new partitions on the Up brokers (<see cref="ReplicaPlacement"/>),
/// confirms each partition entity's leadership with a new epoch (<see cref="BecomeLeader"/>), tells the shard
/// allocation where each partition must live, and re-elects leaders when brokers leave or return (membership comes
/// from Akka Cluster: a broker is eligible to lead while its member is Up).
/// </summary>
public sealed partial class TopicRegistry : ReceivePersistentActor, IWithTimers
{
    private const string FollowRefreshTimer = "follow-refresh";
    public const string Name = "topic-registry";
    private const int SnapshotEvery = 100;

    private readonly ActorBrokerSettings _settings;
    private readonly IActorRef _partitions;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private TopicRegistryState _state = TopicRegistryState.Empty;
    private BrokerView _brokers = BrokerView.From(AkkaCluster.Get(Context.System).State);
    private bool _membershipKnown; // no re-election before the first membership snapshot: the start-up view is partial

    public TopicRegistry(ActorBrokerSettings settings, IActorRef partitions)
    {
        _settings = settings;
        _partitions = partitions;

        Recover<TopicCreated>(e => _state = _state.Apply(e));
        Recover<TopicDeleted>(e => _state = _state.Apply(e));
        Recover<TopicConfigsChanged>(e => _state = _state.Apply(e));
        Recover<PartitionAssignmentChanged>(e => _state = _state.Apply(e));
        Recover<PartitionsAdded>(e => _state = _state.Apply(e));
        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is TopicRegistrySnapshot snapshot)
                _state = new TopicRegistryState(snapshot.Topics.ToImmutableSortedDictionary(t => t.Name, t => t));
        });
        Recover<RecoveryCompleted>(_ =>
        {
            _state = _state.WithLegacyPlacement(_settings.NodeId);
            _log.Info("Topic registry recovered {0} topic(s)", _state.Topics.Count);
            Reelect();
            Timers.StartPeriodicTimer(FollowRefreshTimer, RefreshFollowers.Instance, _settings.Replication.FollowRefreshInterval);
        });

        Command<CreateTopic>(Handle);
        Command<DeleteTopic>(Handle);
        Command<DescribeTopics>(Handle);
        Command<ReplaceTopicConfigs>(Handle);
        Command<AlterTopicConfigs>(Handle);
        Command<BecomeLeader>(Handle);
        Command<LocatePartition>(Handle);
        Command<GetPartitionLeaders>(Handle);
        Command<ClusterEvent.CurrentClusterState>(state =>
        {
            _membershipKnown = true;
            OnMembership(BrokerView.From(state));
        });
        Command<ClusterEvent.IMemberEvent>(e =>
        {
            OnMembership(_brokers.With(e.Member));
            if (e is ClusterEvent.MemberUp)
                OnMemberUp(e.Member);
        });
        Command<AutoRebalanceTick>(_ => AutoRebalance());
        Command<AlterReassignmentsResult>(OnAutoRebalanceStarted);
        Command<ClusterEvent.UnreachableMember>(e => _brokers = _brokers.WithReachability(e.Member, reachable: false));
        Command<ClusterEvent.ReachableMember>(e => _brokers = _brokers.WithReachability(e.Member, reachable: true));
        Command<PartitionStateResult>(_ => { }); // the answer to a wake-up, see Reelect
        Command<AlterIsr>(Handle);
        Command<AddPartitions>(Handle);
        Command<AlterReassignments>(Handle);
        Command<ListReassignments>(Handle);
        Command<RefreshFollowers>(_ => SendFollowerLists());
        Command<SaveSnapshotSuccess>(_ => { });
        Command<SaveSnapshotFailure>(f => _log.Warning("Topic registry snapshot failed: {0}", f.Cause.Message));
    }

    public override string PersistenceId => Name;

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        base.PreStart();
        AkkaCluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
    }

    protected override void PostStop()
    {
        AkkaCluster.Get(Context.System).Unsubscribe(Self);
        base.PostStop();
    }

    /// <summary>Brokers whose member is Up: they may lead partitions and receive new ones.</summary>
    private IReadOnlySet<int> EligibleBrokers =>
        _brokers.Members.Values.Where(m => m.Status is MemberStatus.Up or MemberStatus.WeaklyUp).Select(m => m.Identity.NodeId).ToHashSet();

    /// <summary>Brokers still holding their replicas: Up, or Leaving/Exiting while they hand over.</summary>
    private IReadOnlySet<int> PresentBrokers =>
        _brokers.Members.Values.Where(m => m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Leaving or MemberStatus.Exiting)
            .Select(m => m.Identity.NodeId).ToHashSet();

    private void OnMembership(BrokerView brokers)
    {
        _brokers = brokers;
        Reelect();
    }

    /// <summary>Moves leadership off brokers that are gone (or leaving) and back onto returning in-sync replicas.</summary>
    private void Reelect()
    {
        if (!_membershipKnown)
            return;
        var changes = _state.DecideMembership(EligibleBrokers, PresentBrokers, _settings);
        if (changes.Count == 0)
        {
            AdvanceReassignments(); // e.g. a controller that took over finds a target already in sync
            return;
        }
        PersistAll(changes, changed =>
        {
            var before = _state.Topics[changed.Topic].Assignments[changed.Partition];
            _state = _state.Apply(changed);
            var partition = new TopicPartition(changed.Topic, changed.Partition);
            if (changed.Assignment.IsOnline)
            {
                _log.Info("Partition {0}: leader {1} -> {2} (epoch {3}), ISR [{4}]", partition, before.Leader,
                    changed.Assignment.Leader, changed.Assignment.LeaderEpoch, string.Join(",", changed.Assignment.Isr));
                // Tells a leader that stays of its new ISR, makes a deposed one step down, and starts the entity on
                // a new leader now rather than at the next client request.
                _partitions.Tell(new AssignmentChanged(partition, changed.TopicId, changed.Assignment));
            }
            else
            {
                _log.Warning("Partition {0} is offline: no in-sync replica is alive (last ISR [{1}]); it stays unavailable until one returns",
                    partition, string.Join(",", changed.Assignment.Isr));
            }
        });
        DeferAsync(RefreshFollowers.Instance, _ =>
        {
            SendFollowerLists();
            AdvanceReassignments();
        });
    }

    /// <summary>Completes every reassignment whose target replicas are all in sync now (the switch; see
    /// <see cref="TopicRegistryState.DecideReassignmentProgress"/>). Runs after every ISR or membership change.</summary>
    private void AdvanceReassignments()
    {
        if (!_membershipKnown)
            return;
        var switches = _state.DecideReassignmentProgress(EligibleBrokers);
        if (switches.Count == 0)
            return;
        PersistAll(switches, changed =>
        {
            var before = _state;
            _state = _state.Apply(changed);
            OnPersisted(changed, before);
        });
        DeferAsync(RefreshFollowers.Instance, _ => SendFollowerLists());
    }

    /// <summary>
    /// Tells every broker which partitions it follows now (complete lists, so a lost message is repaired by the next
    /// one): after every change and on a timer.
    /// </summary>
    private void SendFollowerLists()
    {
        foreach (var broker in _brokers.Members.Values.Where(b => b.IsLive))
        {
            int node = broker.Identity.NodeId;
            var followed = _state.Topics.Values
                .SelectMany(t => t.Assignments.Select((a, p) => (Topic: t, Partition: p, Assignment: a)))
                .Where(x => x.Assignment.IsOnline && x.Assignment.Leader != node && x.Assignment.Replicas.Contains(node))
                .Select(x => new FollowedPartition(x.Topic, x.Partition, x.Assignment))
                .ToImmutableArray();
            ReplicaManagerOf(broker).Tell(new FollowPartitions(node, followed));
        }
    }
    public static Props Props(ActorBrokerSettings settings, IActorRef partitions) =>
        Akka.Actor.Props.Create(() => new TopicRegistry(settings, partitions));

    private void Handle(object command) => Execute(command, Sender);

    /// <summary>Decides <paramref name="command"/>, persists and applies its events, then replies to <paramref name="replyTo"/>.</summary>
    private void Execute(object command, IActorRef replyTo)
    {
        var decision = _state.Decide(command, _settings, Guid.NewGuid, EligibleBrokers);
        if (decision.Events.Count == 0)
        {
            replyTo.Tell(decision.Reply);
            return;
        }
        int remaining = decision.Events.Count;
        PersistAll(decision.Events, e =>
        {
            var before = _state;
            _state = _state.Apply(e);
            OnPersisted(e, before);
            if (--remaining == 0)
            {
                replyTo.Tell(decision.Reply);
                SendFollowerLists();
                AdvanceReassignments();
            }
        });
    }

    private void OnPersisted(object @event, TopicRegistryState before)
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
            case PartitionsAdded added:
                _log.Info("Topic {0} has {1} more partition(s), led by nodes [{2}]", added.Name, added.Added.Length,
                    string.Join(",", added.Added.Select(a => a.Leader)));
                break;
            case PartitionAssignmentChanged changed when before.Topics.TryGetValue(changed.Topic, out var old) && changed.Partition < old.Assignments.Length:
                OnReplicasChanged(old.Assignments[changed.Partition], changed);
                break;
        }
        if (LastSequenceNr % SnapshotEvery == 0)
            SaveSnapshot(new TopicRegistrySnapshot(_state.Topics.Values.ToList()));
        if (@event is TopicDeleted topicDeleted)
            TellPartitionsOfDeletedTopic(topicDeleted);
        if (@event is TopicConfigsChanged configsChanged && _state.Topics.TryGetValue(configsChanged.Name, out var topic))
            TellPartitionsOfChangedConfigs(topic);
    }

    /// <summary>
    /// A reassignment step: the leader learns its new replica set (or steps down when the switch moved leadership),
    /// and replicas the step dropped stop following and delete their copy. Steps that change neither replicas nor
    /// leader (ISR changes, a leader confirming its epoch) need no word: the leader asked for them.
    /// </summary>
    private void OnReplicasChanged(PartitionAssignment before, PartitionAssignmentChanged changed)
    {
        var after = changed.Assignment;
        if (before.Replicas.SequenceEqual(after.Replicas) && before.Leader == after.Leader)
            return;
        var partition = new TopicPartition(changed.Topic, changed.Partition);
        var adding = after.Reassignment?.Adding ?? [];
        string reassigning = after.Reassignment is null ? "" : $", reassigning: adding [{string.Join(",", adding)}]";
        _log.Info($"Partition {partition}: replicas [{string.Join(",", before.Replicas)}] -> [{string.Join(",", after.Replicas)}], " +
            $"leader {before.Leader} -> {after.Leader} (epoch {after.LeaderEpoch}), ISR [{string.Join(",", after.Isr)}]{reassigning}");
        _partitions.Tell(new AssignmentChanged(partition, changed.TopicId, after));
        foreach (int dropped in before.Replicas.Except(after.Replicas))
            if (_brokers.Members.Values.FirstOrDefault(b => b.IsLive && b.Identity.NodeId == dropped) is { } broker)
                ReplicaManagerOf(broker).Tell(new RemoveReplica(partition, changed.TopicId));
    }

    private void TellPartitionsOfChangedConfigs(TopicDescription topic)
    {
        foreach (var partition in topic.Partitions)
            _partitions.Tell(new TopicConfigChanged(partition, topic.TopicId, topic.Configs));
    }

    private ActorSelection ReplicaManagerOf(BrokerMember broker) =>
        Context.ActorSelection(new RootActorPath(broker.Address) / "user" / ReplicaManager.Name);

    private void TellPartitionsOfDeletedTopic(TopicDeleted deleted)
    {
        for (int p = 0; p < deleted.PartitionCount; p++)
            _partitions.Tell(new DeletePartition(new TopicPartition(deleted.Name, p), deleted.TopicId));
        foreach (var broker in _brokers.Members.Values.Where(b => b.IsLive))
            ReplicaManagerOf(broker).Tell(new DeleteReplicas(deleted.Name, deleted.TopicId, deleted.PartitionCount));
    }
}

internal sealed class RefreshFollowers
{
    public static readonly RefreshFollowers Instance = new();
}

public sealed record TopicRegistrySnapshot(IReadOnlyList<TopicDescription> Topics) : IPersistedMessage;
