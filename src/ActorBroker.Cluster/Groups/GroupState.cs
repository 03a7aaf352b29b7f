using System.Collections.Immutable;
using ActorBroker.Protocol;

namespace ActorBroker.Cluster.Groups;

/// <summary>The phases of Kafka's classic group protocol.</summary>
public enum GroupPhase
{
    /// <summary>No members; may still hold committed offsets.</summary>
    Empty,
    /// <summary>Members are (re)joining; the join barrier completes when all have, or at the rebalance timeout.</summary>
    PreparingRebalance,
    /// <summary>The generation is formed; waiting for the leader's assignment in SyncGroup.</summary>
    CompletingRebalance,
    /// <summary>Every member has its assignment; heartbeats keep members alive.</summary>
    Stable,
    /// <summary>The group is being deleted.</summary>
    Dead,
}

/// <summary>A group member as the coordinator tracks it. <see cref="AwaitingJoin"/> / <see cref="AwaitingSync"/>
/// mean a JoinGroup / SyncGroup request of this member is parked until the barrier completes.</summary>
public sealed record GroupMember(
    string MemberId,
    string? GroupInstanceId,
    string ClientId,
    string ClientHost,
    int SessionTimeoutMs,
    int RebalanceTimeoutMs,
    string ProtocolType,
    IReadOnlyList<MemberProtocol> Protocols,
    byte[] Assignment,
    long LastHeartbeatMs,
    bool AwaitingJoin,
    bool AwaitingSync,
    bool Synced)
{
    public byte[] MetadataFor(string? protocol) => Protocols.FirstOrDefault(p => p.Name == protocol)?.Metadata ?? [];

    public bool IsAlive(long nowMs) => AwaitingJoin || AwaitingSync || LastHeartbeatMs + SessionTimeoutMs > nowMs;

    public PersistedMember ToPersisted(byte[]? assignment = null) =>
        new(MemberId, GroupInstanceId, ClientId, ClientHost, SessionTimeoutMs, RebalanceTimeoutMs, Protocols, assignment ?? Assignment);
}

/// <summary>A reply to a member whose request was parked (a JoinGroup or SyncGroup waiting on a barrier).</summary>
public sealed record ParkedReply(string MemberId, object Reply);

/// <summary>What handling a command produced: the new state, the events to persist before replying (already
/// applied to <see cref="State"/>), the reply to the sender (null: park the sender under <see cref="ParkAs"/>),
/// and replies to members parked earlier.</summary>
public sealed record GroupOutcome(
    GroupState State,
    IReadOnlyList<object> Events,
    object? Reply,
    string? ParkAs,
    IReadOnlyList<ParkedReply> ParkedReplies);

/// <summary>The coordinator's clock tick: expire sessions, complete or time out barriers, expire old offsets.</summary>
public sealed record GroupTick;

/// <summary>
/// The classic group protocol as pure decisions, after Kafka's GroupCoordinator: <see cref="Handle"/> takes a
/// command and the time, and returns the next state, the events to persist, and the replies. Membership and
/// barriers live in memory; generations (with assignments), emptiness and offsets are events, so a restarted
/// coordinator comes back Stable with the last generation's members (who must heartbeat within their session
/// timeout) and every committed offset. Immutable.
/// </summary>
public sealed record GroupState(
    string GroupId,
    GroupPhase Phase,
    int GenerationId,
    string? ProtocolType,
    string? ProtocolName,
    string? LeaderId,
    ImmutableSortedDictionary<string, GroupMember> Members,
    ImmutableDictionary<string, long> PendingMembers,
    long JoinNotBeforeMs,
    long PhaseDeadlineMs,
    long EmptySinceMs,
    ImmutableDictionary<TopicPartition, CommittedOffset> Offsets)
{
    public static GroupState Initial(string groupId) => new(
        groupId, GroupPhase.Empty, 0, null, null, null,
        ImmutableSortedDictionary<string, GroupMember>.Empty, ImmutableDictionary<string, long>.Empty,
        0, 0, 0, ImmutableDictionary<TopicPartition, CommittedOffset>.Empty);

    /// <summary>Whether anything is known about this group (Kafka's "group exists").</summary>
    public bool Exists => Phase != GroupPhase.Empty || GenerationId > 0 || !Offsets.IsEmpty || !PendingMembers.IsEmpty;

    // ---- events ----------------------------------------------------------------------------------------------

    /// <summary>Folds a persisted event in; <paramref name="nowMs"/> is when the event is applied (recovery time on replay).</summary>
    public GroupState Apply(object @event, long nowMs) => @event switch
    {
        GenerationCompleted g => this with
        {
            Phase = GroupPhase.Stable,
            GenerationId = g.GenerationId,
            ProtocolType = g.ProtocolType,
            ProtocolName = g.ProtocolName,
            LeaderId = g.LeaderId,
            Members = g.Members.ToImmutableSortedDictionary(m => m.MemberId, m => Members.TryGetValue(m.MemberId, out var live)
                ? live with { Assignment = m.Assignment, AwaitingSync = false, Synced = true }
                : new GroupMember(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost, m.SessionTimeoutMs, m.RebalanceTimeoutMs,
                    g.ProtocolType, m.Protocols, m.Assignment, nowMs, false, false, true)),
        },
        GroupEmptied e => this with
        {
            Phase = GroupPhase.Empty,
            GenerationId = e.GenerationId,
            ProtocolName = null,
            LeaderId = null,
            Members = Members.Clear(),
            EmptySinceMs = nowMs,
        },
        OffsetsCommitted c => this with { Offsets = Offsets.SetItems(c.Offsets.Select(o => KeyValuePair.Create(o.Partition, o.Offset))) },
        OffsetsDeleted d => this with { Offsets = Offsets.RemoveRange(d.Partitions) },
        // Like Kafka, a deleted group is gone: keeping its generation would make Exists true again (it counts
        // generations), so it would still be listed and described as Empty. A new group starts at generation 1.
        GroupDeleted => Initial(GroupId),
        _ => this,
    };

    // ---- commands --------------------------------------------------------------------------------------------

    /// <summary>Handles a command at <paramref name="nowMs"/>. A null reply with no park name means: no reply.</summary>
    public GroupOutcome Handle(object command, long nowMs, GroupSettings settings, Func<Guid> newGuid) => command switch
    {
        JoinGroup join => new Transition(this, nowMs, settings).Join(join, newGuid),
        SyncGroup sync => new Transition(this, nowMs, settings).Sync(sync),
        Heartbeat heartbeat => new Transition(this, nowMs, settings).Heartbeat(heartbeat),
        LeaveGroup leave => new Transition(this, nowMs, settings).Leave(leave),
        CommitOffsets commit => new Transition(this, nowMs, settings).Commit(commit),
        FetchOffsets fetch => Reply(FetchOffsetsReply(fetch)),
        DescribeGroup => Reply(Describe()),
        DeleteGroup => new Transition(this, nowMs, settings).Delete(),
        DeleteOffsets delete => new Transition(this, nowMs, settings).DeleteOffsets(delete),
        GroupTick => new Transition(this, nowMs, settings).Tick(),
        _ => throw new ArgumentException($"Not a group command: {command.GetType().Name}", nameof(command)),
    };

    private GroupOutcome Reply(object reply) => new(this, [], reply, null, []);

    private FetchOffsetsResult FetchOffsetsReply(FetchOffsets fetch)
    {
        var partitions = fetch.Partitions ?? Offsets.Keys.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition).ToList();
        return new FetchOffsetsResult(ErrorCode.None, partitions.Select(p => (p, Offsets.GetValueOrDefault(p))).ToList());
    }

    public GroupDescription Describe()
    {
        bool stable = Phase == GroupPhase.Stable;
        return new GroupDescription(
            ErrorCode.None,
            GroupId,
            Exists ? Phase.ToString() : GroupPhase.Dead.ToString(),
            ProtocolType ?? "",
            stable ? ProtocolName ?? "" : "",
            Members.Values.Select(m => new DescribedMember(
                m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost,
                stable ? m.MetadataFor(ProtocolName) : [],
                stable ? m.Assignment : [])).ToList());
    }

    /// <summary>The topics a "consumer" member subscribes to, read from its subscription (ConsumerProtocolSubscription).</summary>
    public IEnumerable<string> SubscribedTopics() =>
        ProtocolType == "consumer"
            ? Members.Values.SelectMany(m => ConsumerSubscription.Topics(m.MetadataFor(ProtocolName)))
            : [];
}
