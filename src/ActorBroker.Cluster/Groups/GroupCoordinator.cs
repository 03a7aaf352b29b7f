using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using ActorBroker.Cluster.Serialization;

namespace ActorBroker.Cluster.Groups;

/// <summary>
/// Runs one consumer group: a sharded, persistent entity (persistence id <c>group-&lt;group id&gt;</c>). Decisions are
/// made by <see cref="GroupState.Handle"/>; this actor stamps the time, persists the resulting events, replies, and
/// parks JoinGroup/SyncGroup requests until their barrier completes. A timer drives session expiry, rebalance
/// deadlines and offset retention. Snapshots every <see cref="SnapshotEvery"/> events keep recovery short (offset
/// commits are frequent), and the events before a snapshot are deleted.
/// </summary>
public sealed class GroupCoordinator : ReceivePersistentActor, IWithTimers
{
    private const string TickTimer = "tick";
    private const int SnapshotEvery = 200;

    private readonly GroupSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, IActorRef> _parkedJoins = new();
    private readonly Dictionary<string, IActorRef> _parkedSyncs = new();
    private GroupState _state;

    public GroupCoordinator(string groupId, GroupSettings settings)
    {
        _settings = settings;
        _state = GroupState.Initial(groupId);

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is GroupSnapshot snapshot)
                _state = snapshot.Restore(groupId, NowMs);
        });
        Recover<IPersistedMessage>(e => _state = _state.Apply(e, NowMs));
        Recover<RecoveryCompleted>(_ =>
        {
            if (_state.Exists)
                _log.Info("Group {0} recovered: {1}, generation {2}, {3} member(s), {4} committed offset(s)",
                    groupId, _state.Phase, _state.GenerationId, _state.Members.Count, _state.Offsets.Count);
            Timers.StartPeriodicTimer(TickTimer, new GroupTick(), _settings.TickInterval);
        });

        Command<WakeGroup>(_ => { });
        Command<LocateGroup>(query => Sender.Tell(new GroupLocated(query.GroupId, Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString())));
        Command<IGroupCommand>(command => Handle(command, Sender));
        Command<GroupTick>(tick => Handle(tick, Nobody.Instance));
        Command<SaveSnapshotSuccess>(success => DeleteMessages(success.Metadata.SequenceNr));
        Command<SaveSnapshotFailure>(failure => _log.Warning("Snapshot of group {0} failed: {1}", groupId, failure.Cause.Message));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(failure => _log.Warning("Deleting old events of group {0} failed: {1}", groupId, failure.Cause.Message));
    }

    public override string PersistenceId => "group-" + _state.GroupId;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string groupId, GroupSettings settings) =>
        Akka.Actor.Props.Create(() => new GroupCoordinator(groupId, settings));

    private static long NowMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private void Handle(object command, IActorRef sender)
    {
        var phaseBefore = _state.Phase;
        var outcome = _state.Handle(command, NowMs, _settings, Guid.NewGuid);
        _state = outcome.State;
        if (_state.Phase != phaseBefore)
            _log.Info("Group {0}: {1} -> {2} (generation {3}, {4} member(s))", _state.GroupId, phaseBefore, _state.Phase, _state.GenerationId, _state.Members.Count);
        if (outcome.Events.Count == 0)
        {
            Deliver(command, outcome, sender);
            return;
        }
        int remaining = outcome.Events.Count;
        PersistAll(outcome.Events, _ =>
        {
            if (--remaining > 0)
                return;
            Deliver(command, outcome, sender);
            if (LastSequenceNr / SnapshotEvery != (LastSequenceNr - outcome.Events.Count) / SnapshotEvery)
                SaveSnapshot(GroupSnapshot.Of(_state));
        });
    }

    private void Deliver(object command, GroupOutcome outcome, IActorRef sender)
    {
        if (outcome.Reply is not null)
            sender.Tell(outcome.Reply);
        else if (outcome.ParkAs is { } memberId)
            (command is SyncGroup ? _parkedSyncs : _parkedJoins)[memberId] = sender;
        foreach (var parked in outcome.ParkedReplies)
        {
            var waiting = parked.Reply is SyncGroupResult ? _parkedSyncs : _parkedJoins;
            if (waiting.Remove(parked.MemberId, out var replyTo))
                replyTo.Tell(parked.Reply);
        }
    }
}

/// <summary>A group's durable state: its last generation (null when Empty) and its committed offsets.</summary>
public sealed record GroupSnapshot(int GenerationId, GenerationCompleted? Generation, IReadOnlyList<PartitionOffset> Offsets) : IPersistedMessage
{
    public static GroupSnapshot Of(GroupState state) => new(
        state.GenerationId,
        state.Phase == GroupPhase.Empty || state.ProtocolName is null
            ? null
            : new GenerationCompleted(state.GenerationId, state.ProtocolType ?? "", state.ProtocolName, state.LeaderId ?? "",
                state.Members.Values.Select(m => m.ToPersisted()).ToList()),
        state.Offsets.Select(o => new PartitionOffset(o.Key, o.Value)).ToList());

    public GroupState Restore(string groupId, long nowMs) =>
        GroupState.Initial(groupId)
            .Apply(Generation ?? (object)new GroupEmptied(GenerationId), nowMs)
            .Apply(new OffsetsCommitted(Offsets), nowMs);
}
