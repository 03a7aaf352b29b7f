using System.Collections.Immutable;
using Akka.Configuration;
using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;

namespace ActorBroker.Cluster.Tests.Topics;

public class PlacementTests
{
    private static readonly ActorBrokerSettings Settings = ActorBrokerSettings.Create(ActorBrokerConfig.Reference());
    private static readonly ImmutableSortedDictionary<string, string> NoConfigs = ImmutableSortedDictionary<string, string>.Empty;

    private static PartitionAssignment Assignment(int[] replicas, int leader, int epoch, int[] isr) =>
        new([.. replicas], leader, epoch, [.. isr]);

    [Fact]
    public void Six_partitions_on_three_brokers_spread_leaders_and_replicas_evenly()
    {
        var assignments = ReplicaPlacement.Assign(0, 6, 3, [3, 1, 2], start: 0);

        Assert.Equal([1, 2, 3, 1, 2, 3], assignments.Select(a => a.Leader));
        Assert.All(assignments, a => Assert.Equal(3, a.Replicas.Distinct().Count()));
        Assert.All(assignments, a => Assert.Equal(a.Replicas, a.Isr));
        Assert.Equal([2, 3, 1], assignments[0].Replicas.Skip(1).Concat(assignments[0].Replicas.Take(1)));
    }

    [Fact]
    public void The_start_rotates_the_first_leader_so_successive_topics_do_not_pile_on_one_broker()
    {
        Assert.Equal(2, ReplicaPlacement.Assign(0, 1, 1, [1, 2, 3], start: 1)[0].Leader);
        Assert.Equal(1, ReplicaPlacement.Assign(0, 1, 1, [1, 2, 3], start: 3)[0].Leader);
    }

    [Fact]
    public void A_dead_leader_is_replaced_by_the_first_live_in_sync_replica_with_a_new_epoch()
    {
        var next = Assignment([1, 2, 3], 1, 4, [1, 2, 3]).Reelect(new HashSet<int> { 2, 3 }, new HashSet<int> { 2, 3 });

        Assert.Equal(Assignment([1, 2, 3], 2, 5, [2, 3]), next);
    }

    [Fact]
    public void Leadership_never_goes_outside_the_isr_and_an_offline_partition_keeps_its_last_isr()
    {
        var next = Assignment([1, 2, 3], 1, 4, [1]).Reelect(new HashSet<int> { 2, 3 }, new HashSet<int> { 2, 3 });

        Assert.Equal(PartitionAssignment.NoLeader, next.Leader);
        Assert.Equal(5, next.LeaderEpoch);
        Assert.Equal([1], next.Isr.ToArray());
    }

    [Fact]
    public void Unclean_election_lets_an_out_of_sync_replica_lead_when_no_in_sync_replica_is_alive()
    {
        var onlyLeaderInSync = Assignment([1, 2, 3], 1, 4, [1]);
        var alive = new HashSet<int> { 2, 3 };

        Assert.False(onlyLeaderInSync.Reelect(alive, alive).IsOnline);
        Assert.Equal(Assignment([1, 2, 3], 2, 5, [2]), onlyLeaderInSync.Reelect(alive, alive, unclean: true));
    }

    [Fact]
    public void An_offline_partition_comes_back_when_an_in_sync_replica_returns()
    {
        var offline = Assignment([1, 2], PartitionAssignment.NoLeader, 5, [1, 2]);

        Assert.Equal(offline, offline.Reelect(new HashSet<int> { 3 }, new HashSet<int> { 3 }));
        Assert.Equal(Assignment([1, 2], 2, 6, [2]), offline.Reelect(new HashSet<int> { 2, 3 }, new HashSet<int> { 2, 3 }));
    }

    [Fact]
    public void A_leaving_leader_hands_over_to_an_in_sync_replica_but_a_sole_replica_keeps_serving_until_it_is_gone()
    {
        var up = new HashSet<int> { 2 };
        var present = new HashSet<int> { 1, 2 };

        Assert.Equal(Assignment([1, 2], 2, 1, [2]), Assignment([1, 2], 1, 0, [1, 2]).Reelect(up, present));
        Assert.Equal(Assignment([1], 1, 0, [1]), Assignment([1], 1, 0, [1]).Reelect(up, present));
        Assert.False(Assignment([1], 1, 0, [1]).Reelect(up, up).IsOnline);
    }

    [Fact]
    public void A_dead_follower_leaves_the_isr_without_a_leader_change()
    {
        var next = Assignment([1, 2, 3], 1, 4, [1, 2, 3]).Reelect(new HashSet<int> { 1, 3 }, new HashSet<int> { 1, 3 });

        Assert.Equal(Assignment([1, 2, 3], 1, 4, [1, 3]), next);
    }

    [Fact]
    public void Create_places_partitions_on_the_live_brokers_and_refuses_more_replicas_than_brokers()
    {
        var created = TopicRegistryState.Empty.Decide(new CreateTopic("t", 4, 1, NoConfigs), Settings, Guid.NewGuid, [1, 2]);
        var topic = ((CreateTopicResult)created.Reply).Topic!;
        Assert.Equal([1, 2, 1, 2], topic.Assignments.Select(a => a.Leader));

        var noBrokers = TopicRegistryState.Empty.Decide(new CreateTopic("t", 1, 1, NoConfigs), Settings, Guid.NewGuid, []);
        Assert.Equal(ErrorCode.InvalidReplicationFactor, ((CreateTopicResult)noBrokers.Reply).Error);
    }

    [Fact]
    public void BecomeLeader_starts_a_higher_epoch_for_the_leader_and_refuses_any_other_node()
    {
        var state = StateWith(Assignment([2], 2, 3, [2]));

        var refused = state.Decide(new BecomeLeader(new TopicPartition("t", 0), 1, 0), Settings, Guid.NewGuid, [1, 2]);
        Assert.Empty(refused.Events);
        Assert.Equal(ErrorCode.NotLeaderOrFollower, ((LeadershipResult)refused.Reply).Error);

        var granted = state.Decide(new BecomeLeader(new TopicPartition("t", 0), 2, 0), Settings, Guid.NewGuid, [1, 2]);
        Assert.Equal(4, ((LeadershipResult)granted.Reply).LeaderEpoch);
        var withOwnEpoch = state.Decide(new BecomeLeader(new TopicPartition("t", 0), 2, 9), Settings, Guid.NewGuid, [1, 2]);
        Assert.Equal(9, ((LeadershipResult)withOwnEpoch.Reply).LeaderEpoch);
        Assert.Equal(4, granted.Events.Cast<PartitionAssignmentChanged>().Single().Assignment.LeaderEpoch);
    }

    [Fact]
    public void Membership_changes_reelect_only_the_partitions_they_affect()
    {
        var state = StateWith(Assignment([1], 1, 0, [1]), Assignment([2], 2, 0, [2]));

        var events = state.DecideMembership(new HashSet<int> { 1 }, new HashSet<int> { 1 }, Settings);

        var changed = Assert.Single(events);
        Assert.Equal(1, changed.Partition);
        Assert.False(changed.Assignment.IsOnline);
    }

    [Fact]
    public void AddPartitions_places_the_new_partitions_after_the_old_ones_or_on_the_replicas_asked_for()
    {
        var state = TopicRegistryState.Empty.Apply(new TopicCreated(
            new TopicDescription("t", Guid.NewGuid(), 1, 2, NoConfigs) { Assignments = [Assignment([1, 2], 1, 0, [1, 2])] }));

        var placed = state.Decide(new AddPartitions("t", 3, null), Settings, Guid.NewGuid, [1, 2, 3]);
        var grown = placed.Events.Aggregate(state, (s, e) => s.Apply(e)).Topics["t"];
        Assert.Equal(3, grown.PartitionCount);
        Assert.All(grown.Assignments.Skip(1), a => Assert.Equal(2, a.Replicas.Length));

        var manual = state.Decide(new AddPartitions("t", 2, [[3, 1]]), Settings, Guid.NewGuid, [1, 2, 3]);
        var added = manual.Events.Cast<PartitionsAdded>().Single().Added.Single();
        Assert.Equal([3, 1], added.Replicas.ToArray());
        Assert.Equal(3, added.Leader);

        var wrongReplicas = state.Decide(new AddPartitions("t", 2, [[3]]), Settings, Guid.NewGuid, [1, 2, 3]);
        Assert.Equal(ErrorCode.InvalidReplicaAssignment, ((AddPartitionsResult)wrongReplicas.Reply).Error);
        var validateOnly = state.Decide(new AddPartitions("t", 4, null, ValidateOnly: true), Settings, Guid.NewGuid, [1, 2, 3]);
        Assert.Empty(validateOnly.Events);
        Assert.Equal(ErrorCode.None, ((AddPartitionsResult)validateOnly.Reply).Error);
    }

    [Fact]
    public void Topics_from_a_journal_without_placement_live_on_the_recovering_node()
    {
        var legacy = new TopicDescription("old", Guid.NewGuid(), 2, 1, NoConfigs);
        var state = TopicRegistryState.Empty.Apply(new TopicCreated(legacy)).WithLegacyPlacement(7);

        Assert.Equal([7, 7], state.Topics["old"].Assignments.Select(a => a.Leader));
    }

    private static TopicRegistryState StateWith(params PartitionAssignment[] assignments) =>
        TopicRegistryState.Empty.Apply(new TopicCreated(
            new TopicDescription("t", Guid.NewGuid(), assignments.Length, 1, NoConfigs) { Assignments = [.. assignments] }));
}
