using System.Buffers.Binary;
using System.Text;
using ActorBroker.Cluster.Groups;
using ActorBroker.Protocol;

namespace ActorBroker.Cluster.Tests.Groups;

/// <summary>A request as its sender sees it: answered at once, or parked until some later outcome answers it.</summary>
public sealed class Call<T> where T : class
{
    public object? RawReply { get; private set; }

    public bool IsParked => RawReply is null;

    public T Reply => RawReply as T
        ?? throw new Xunit.Sdk.XunitException(RawReply is null ? $"{typeof(T).Name} is still parked" : $"expected {typeof(T).Name}, got {RawReply}");

    internal void Answer(object reply)
    {
        Assert.Null(RawReply);
        Assert.IsType<T>(reply);
        RawReply = reply;
    }
}

/// <summary>
/// Drives one <see cref="GroupState"/> the way the coordinator actor would: a fake clock, outcomes applied in order,
/// parked JoinGroup/SyncGroup requests remembered per member and answered from later outcomes' ParkedReplies.
/// </summary>
public sealed class GroupDriver(GroupSettings? settings = null, string groupId = "group")
{
    public const int SessionTimeout = 10_000;
    public const int RebalanceTimeout = 30_000;

    private readonly Dictionary<string, object> _parked = new();
    private int _guids;

    public string GroupId { get; } = groupId;
    public GroupSettings Settings { get; } = settings ?? GroupSettings.Default with { InitialRebalanceDelayMs = 0 };
    public GroupState State { get; private set; } = GroupState.Initial(groupId);
    public long Now { get; private set; } = 1_000_000;
    public List<object> Persisted { get; } = new();
    public GroupOutcome Last { get; private set; } = null!;

    /// <summary>A coordinator restarted at <paramref name="recoveredAtMs"/> that replayed <paramref name="events"/>.</summary>
    public static GroupDriver Recovered(IEnumerable<object> events, long recoveredAtMs, GroupSettings? settings = null)
    {
        var driver = new GroupDriver(settings) { Now = recoveredAtMs };
        driver.State = events.Aggregate(driver.State, (state, e) => state.Apply(e, recoveredAtMs));
        return driver;
    }

    public IReadOnlyCollection<string> ParkedMembers => _parked.Keys;

    public GroupPhase Phase => State.Phase;

    public GroupOutcome Send(object command)
    {
        var outcome = State.Handle(command, Now, Settings, NextGuid);
        State = outcome.State;
        Last = outcome;
        Persisted.AddRange(outcome.Events);
        foreach (var parked in outcome.ParkedReplies)
        {
            Assert.True(_parked.Remove(parked.MemberId, out var call), $"reply to {parked.MemberId}, which has no parked request: {parked.Reply}");
            Deliver(call, parked.Reply);
        }
        if (command is GroupTick)
            Assert.True(outcome.Reply is null && outcome.ParkAs is null, "a tick has no sender");
        else
            Assert.True(outcome.Reply is not null || outcome.ParkAs is not null, $"{command} got neither a reply nor parked");
        return outcome;
    }

    private Call<T> Request<T>(object command) where T : class
    {
        var call = new Call<T>();
        var outcome = Send(command);
        if (outcome.Reply is not null)
            call.Answer(outcome.Reply);
        else
        {
            Assert.False(_parked.ContainsKey(outcome.ParkAs!), $"{outcome.ParkAs} already has a parked request");
            _parked[outcome.ParkAs!] = call;
        }
        return call;
    }

    private static void Deliver(object call, object reply)
    {
        switch (call)
        {
            case Call<JoinGroupResult> join: join.Answer(reply); break;
            case Call<SyncGroupResult> sync: sync.Answer(reply); break;
            default: throw new InvalidOperationException(call.GetType().Name);
        }
    }

    private Guid NextGuid() => new(++_guids, 0, 0, new byte[8]);

    // ---- time ----

    public void Advance(long ms) => Now += ms;

    /// <summary>Moves the clock and ticks.</summary>
    public GroupOutcome TickAfter(long ms)
    {
        Advance(ms);
        return Send(new GroupTick());
    }

    public GroupOutcome Tick() => Send(new GroupTick());

    // ---- commands ----

    public static IReadOnlyList<MemberProtocol> Protocols(params string[] names) =>
        names.Select(n => new MemberProtocol(n, Encoding.UTF8.GetBytes("meta-" + n))).ToList();

    public JoinGroup JoinRequest(
        string clientId,
        string memberId = "",
        string? instanceId = null,
        IReadOnlyList<MemberProtocol>? protocols = null,
        int sessionTimeoutMs = SessionTimeout,
        int rebalanceTimeoutMs = RebalanceTimeout,
        string protocolType = "consumer",
        bool requireKnownMemberId = false) =>
        new(GroupId, memberId, instanceId, clientId, "/10.0.0.1", sessionTimeoutMs, rebalanceTimeoutMs, protocolType,
            protocols ?? Protocols("range"), requireKnownMemberId);

    public Call<JoinGroupResult> Join(JoinGroup join) => Request<JoinGroupResult>(join);

    public Call<JoinGroupResult> Join(
        string clientId,
        string memberId = "",
        string? instanceId = null,
        IReadOnlyList<MemberProtocol>? protocols = null,
        int sessionTimeoutMs = SessionTimeout,
        int rebalanceTimeoutMs = RebalanceTimeout,
        string protocolType = "consumer") =>
        Join(JoinRequest(clientId, memberId, instanceId, protocols, sessionTimeoutMs, rebalanceTimeoutMs, protocolType));

    /// <summary>A new member's join; returns its member id (from the reply or from where it is parked).</summary>
    public (string MemberId, Call<JoinGroupResult> Call) JoinNew(
        string clientId,
        string? instanceId = null,
        IReadOnlyList<MemberProtocol>? protocols = null,
        int sessionTimeoutMs = SessionTimeout,
        int rebalanceTimeoutMs = RebalanceTimeout)
    {
        var call = Join(clientId, "", instanceId, protocols, sessionTimeoutMs, rebalanceTimeoutMs);
        return (call.IsParked ? Last.ParkAs! : call.Reply.MemberId, call);
    }

    public Call<SyncGroupResult> Sync(string memberId, int generation, IReadOnlyList<MemberAssignment>? assignments = null,
        string? instanceId = null, string? protocolType = null, string? protocolName = null) =>
        Request<SyncGroupResult>(new SyncGroup(GroupId, memberId, instanceId, generation, protocolType, protocolName, assignments ?? []));

    public ErrorCode Heartbeat(string memberId, int generation, string? instanceId = null) =>
        Request<HeartbeatResult>(new Heartbeat(GroupId, memberId, instanceId, generation)).Reply.Error;

    public LeaveGroupResult Leave(params string[] memberIds) =>
        Request<LeaveGroupResult>(new LeaveGroup(GroupId, memberIds.Select(m => new LeavingMember(m, null)).ToList())).Reply;

    public LeaveGroupResult Leave(IReadOnlyList<LeavingMember> members) =>
        Request<LeaveGroupResult>(new LeaveGroup(GroupId, members)).Reply;

    public CommitOffsetsResult Commit(string memberId, int generation, params OffsetToCommit[] offsets) =>
        Request<CommitOffsetsResult>(new CommitOffsets(GroupId, memberId, null, generation, offsets)).Reply;

    public FetchOffsetsResult Fetch(params TopicPartition[]? partitions) =>
        Request<FetchOffsetsResult>(new FetchOffsets(GroupId, partitions)).Reply;

    public GroupDescription Describe() => Request<GroupDescription>(new DescribeGroup(GroupId)).Reply;

    public ErrorCode DeleteGroup() => Request<DeleteGroupResult>(new DeleteGroup(GroupId)).Reply.Error;

    public DeleteOffsetsResult DeleteOffsets(params TopicPartition[] partitions) =>
        Request<DeleteOffsetsResult>(new DeleteOffsets(GroupId, partitions)).Reply;

    public static OffsetToCommit Offset(string topic, int partition, long offset, string? metadata = null, int leaderEpoch = 3) =>
        new(new TopicPartition(topic, partition), offset, leaderEpoch, metadata);

    public static byte[] Assignment(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>ConsumerProtocolSubscription v0: int16 version, int32 topic count, int16-length topic names, null user data.</summary>
    public static byte[] Subscription(params string[] topics)
    {
        var bytes = new List<byte>();
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteInt16BigEndian(buffer, 0);
        bytes.AddRange(buffer[..2].ToArray());
        BinaryPrimitives.WriteInt32BigEndian(buffer, topics.Length);
        bytes.AddRange(buffer.ToArray());
        foreach (var topic in topics)
        {
            var name = Encoding.UTF8.GetBytes(topic);
            BinaryPrimitives.WriteInt16BigEndian(buffer, (short)name.Length);
            bytes.AddRange(buffer[..2].ToArray());
            bytes.AddRange(name);
        }
        BinaryPrimitives.WriteInt32BigEndian(buffer, -1);
        bytes.AddRange(buffer.ToArray());
        return bytes.ToArray();
    }

    // ---- scenarios ----

    /// <summary>Joins the clients one after another (all parked until the last joins), then syncs the leader and
    /// the followers: a Stable group. Returns the member ids in join order and the leader.</summary>
    public (List<string> Members, string Leader, int Generation) FormStableGroup(params string[] clients) =>
        FormStableGroup(clients.Select(c => JoinRequest(c)).ToArray());

    public (List<string> Members, string Leader, int Generation) FormStableGroup(params JoinGroup[] joins)
    {
        var (members, calls) = JoinTogether(joins);
        Assert.All(calls, c => Assert.Equal(ErrorCode.None, c.Reply.Error));
        return (members, calls[0].Reply.LeaderId, SyncAll(members, calls[0].Reply.LeaderId, calls[0].Reply.GenerationId));
    }

    /// <summary>New members joining at once, as clients requiring a known member id do: each dynamic member first
    /// gets its id (MEMBER_ID_REQUIRED makes it pending), so no join completes before the last one arrives.</summary>
    public (List<string> Members, List<Call<JoinGroupResult>> Calls) JoinTogether(params JoinGroup[] joins)
    {
        var ids = joins.Select(j => j.GroupInstanceId is null && j.MemberId == ""
            ? Join(j with { RequireKnownMemberId = true }).Reply.MemberId
            : j.MemberId).ToList();
        var order = Enumerable.Range(0, joins.Length).OrderBy(i => ids[i] == "" ? 0 : 1).ToList();
        var calls = new Call<JoinGroupResult>[joins.Length];
        var members = new string[joins.Length];
        foreach (int i in order)
        {
            calls[i] = Join(joins[i] with { MemberId = ids[i], RequireKnownMemberId = true });
            members[i] = calls[i].IsParked ? Last.ParkAs! : calls[i].Reply.MemberId;
        }
        return (members.ToList(), calls.ToList());
    }

    /// <summary>Completes a generation whose join barrier has completed: followers sync (parked), then the leader
    /// hands out "assignment-of-{member}".</summary>
    public int SyncAll(IReadOnlyList<string> members, string leader, int generation)
    {
        var followers = members.Where(m => m != leader).Select(m => Sync(m, generation)).ToList();
        Assert.All(followers, f => Assert.True(f.IsParked));
        var leaderSync = Sync(leader, generation, members.Select(m => new MemberAssignment(m, Assignment("assignment-of-" + m))).ToList());
        Assert.Equal(ErrorCode.None, leaderSync.Reply.Error);
        Assert.All(followers, f => Assert.Equal(ErrorCode.None, f.Reply.Error));
        Assert.Equal(GroupPhase.Stable, Phase);
        return generation;
    }
}
