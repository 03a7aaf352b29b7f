using ActorBroker.Cluster.Groups;
using ActorBroker.Protocol;
using static ActorBroker.Cluster.Tests.Groups.GroupDriver;

namespace ActorBroker.Cluster.Tests.Groups;

public class GroupRecoveryAndDescribeTests
{
    private static GroupState Replay(IEnumerable<object> events, long nowMs) =>
        events.Aggregate(GroupState.Initial("group"), (state, e) => state.Apply(e, nowMs));

    [Fact]
    public void Replaying_the_persisted_events_recovers_a_Stable_group_with_members_assignments_generation_and_offsets()
    {
        var group = new GroupDriver();
        group.FormStableGroup("a", "b");
        var (members, leader, generation) = (group.State.Members.Keys.ToList(), group.State.LeaderId!, group.State.GenerationId);
        var c = group.JoinNew("c");
        foreach (var m in members)
            group.Join("x", m);
        members.Add(c.MemberId);
        generation = group.SyncAll(members, leader, generation + 1);
        group.Commit(members[0], generation, Offset("orders", 0, 42, "m", 5));
        group.Commit(members[1], generation, Offset("orders", 1, 43));
        Assert.Equal(
            [typeof(GenerationCompleted), typeof(GenerationCompleted), typeof(OffsetsCommitted), typeof(OffsetsCommitted)],
            group.Persisted.Select(e => e.GetType()));

        var recovered = Replay(group.Persisted, group.Now + 5_000);

        Assert.Equal(GroupPhase.Stable, recovered.Phase);
        Assert.Equal(2, recovered.GenerationId);
        Assert.Equal(leader, recovered.LeaderId);
        Assert.Equal("consumer", recovered.ProtocolType);
        Assert.Equal("range", recovered.ProtocolName);
        Assert.Equal(group.State.Members.Keys, recovered.Members.Keys);
        Assert.All(recovered.Members.Values, m =>
            Assert.Equal(Assignment("assignment-of-" + m.MemberId), m.Assignment));
        Assert.Equal(group.State.Offsets.OrderBy(o => o.Key.Partition), recovered.Offsets.OrderBy(o => o.Key.Partition));
        Assert.Equal(group.Describe().State, recovered.Describe().State);
        Assert.Equal(group.Describe().Members.Select(m => (m.MemberId, m.Assignment.Length)), recovered.Describe().Members.Select(m => (m.MemberId, m.Assignment.Length)));
    }

    [Fact]
    public void Recovered_members_keep_heartbeating_and_a_recovered_member_that_never_heartbeats_expires_after_its_session_timeout()
    {
        var original = new GroupDriver();
        var (members, leader, generation) = original.FormStableGroup("a", "b");
        string follower = members.Single(m => m != leader);

        var recovered = GroupDriver.Recovered(original.Persisted, recoveredAtMs: original.Now + 60_000);

        recovered.Advance(SessionTimeout - 1);
        Assert.Equal(ErrorCode.None, recovered.Heartbeat(leader, generation));
        recovered.Tick();
        Assert.Equal(GroupPhase.Stable, recovered.Phase);

        recovered.TickAfter(1);

        Assert.Equal([leader], recovered.State.Members.Keys);
        Assert.Equal(GroupPhase.PreparingRebalance, recovered.Phase);
        Assert.Equal(generation + 1, recovered.Join("a", leader).Reply.GenerationId);
    }

    [Fact]
    public void A_recovered_group_whose_members_all_stay_silent_becomes_Empty_but_keeps_its_offsets()
    {
        var original = new GroupDriver();
        var (members, _, generation) = original.FormStableGroup("a");
        original.Commit(members[0], generation, Offset("orders", 0, 42));

        var recovered = GroupDriver.Recovered(original.Persisted, recoveredAtMs: original.Now + 60_000);
        recovered.TickAfter(SessionTimeout);

        Assert.Equal(GroupPhase.Empty, recovered.Phase);
        Assert.Equal(42, recovered.Fetch(new TopicPartition("orders", 0)).Offsets.Single().Offset!.Offset);
    }

    [Fact]
    public void Replaying_an_emptied_and_deleted_group_recovers_it_as_unknown()
    {
        var group = new GroupDriver();
        var (members, _, generation) = group.FormStableGroup("a");
        group.Commit(members[0], generation, Offset("orders", 0, 42));
        group.Leave(members[0]);
        Assert.Equal(GroupPhase.Empty, Replay(group.Persisted, group.Now).Phase);
        group.DeleteGroup();

        var recovered = Replay(group.Persisted, group.Now);

        Assert.False(recovered.Exists);
        Assert.Empty(recovered.Offsets);
    }

    // ---- describe ----

    [Fact]
    public void Describe_of_a_Stable_group_shows_the_members_with_metadata_and_assignment()
    {
        var group = new GroupDriver();
        var (members, _, _) = group.FormStableGroup(
            group.JoinRequest("a", instanceId: "instance-a", protocols: Protocols("roundrobin", "range")),
            group.JoinRequest("b", protocols: Protocols("roundrobin")));

        var description = group.Describe();

        Assert.Equal(ErrorCode.None, description.Error);
        Assert.Equal("group", description.GroupId);
        Assert.Equal("Stable", description.State);
        Assert.Equal("consumer", description.ProtocolType);
        Assert.Equal("roundrobin", description.Protocol);
        Assert.Equal(members.Order(), description.Members.Select(m => m.MemberId).Order());
        var a = description.Members.Single(m => m.MemberId == members[0]);
        Assert.Equal("instance-a", a.GroupInstanceId);
        Assert.Equal("a", a.ClientId);
        Assert.Equal("/10.0.0.1", a.ClientHost);
        Assert.Equal("meta-roundrobin"u8.ToArray(), a.Metadata);
        Assert.Equal(Assignment("assignment-of-" + members[0]), a.Assignment);
    }

    [Fact]
    public void Describe_during_a_rebalance_shows_the_members_without_metadata_or_protocol()
    {
        var group = new GroupDriver();
        group.FormStableGroup("a");
        group.JoinNew("b");

        var description = group.Describe();

        Assert.Equal("PreparingRebalance", description.State);
        Assert.Equal("", description.Protocol);
        Assert.Equal(2, description.Members.Count);
        Assert.All(description.Members, m => Assert.Empty(m.Metadata));
        Assert.All(description.Members, m => Assert.Empty(m.Assignment));
    }

    [Fact]
    public void Describe_of_an_unknown_group_shows_Dead()
    {
        var description = new GroupDriver().Describe();

        Assert.Equal(ErrorCode.None, description.Error);
        Assert.Equal("Dead", description.State);
        Assert.Empty(description.Members);
    }
}
