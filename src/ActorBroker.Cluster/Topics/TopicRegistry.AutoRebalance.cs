using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace ActorBroker.Cluster.Topics;

/// <summary>
/// <c>actorbroker.cluster.auto-rebalance</c>: when a broker joins, the controller plans reassignments with
/// <see cref="RebalancePlanner"/> over every online partition and the Up brokers, and runs them a few at a time
/// (<c>auto-rebalance-max-moves</c>), planning again each <c>auto-rebalance-interval</c> until the plan is empty. The
/// wish to rebalance lives in memory: a controller that takes over finishes the reassignments already journaled but
/// plans no new ones until the next broker joins.
/// </summary>
public sealed partial class TopicRegistry
{
    private const string AutoRebalanceTimer = "auto-rebalance";
    private bool _rebalancePending;

    private void OnMemberUp(Member member)
    {
        if (!_settings.AutoRebalance.Enabled || !member.HasRole(Membership.BrokerIdentity.BrokerRole))
            return;
        _rebalancePending = true;
        if (!Timers.IsTimerActive(AutoRebalanceTimer))
            Timers.StartPeriodicTimer(AutoRebalanceTimer, AutoRebalanceTick.Instance, _settings.AutoRebalance.Interval);
    }

    private void AutoRebalance()
    {
        if (!_rebalancePending || !_membershipKnown)
            return;
        var all = _state.Topics.Values
            .SelectMany(t => t.Assignments.Select((a, p) => (Partition: new TopicPartition(t.Name, p), Assignment: a)))
            .ToList();
        int inProgress = all.Count(x => x.Assignment.Reassignment is not null);
        if (inProgress >= _settings.AutoRebalance.MaxMoves)
            return;
        var placed = all.Where(x => x.Assignment.Reassignment is null && x.Assignment.IsOnline)
            .Select(x => new PartitionReplicas(x.Partition, x.Assignment.Replicas))
            .ToList();
        var plan = RebalancePlanner.Plan(placed, EligibleBrokers, _settings.AutoRebalance.MaxMoves - inProgress);
        if (plan.Count == 0)
        {
            if (inProgress > 0)
                return;
            _rebalancePending = false;
            Timers.Cancel(AutoRebalanceTimer);
            _log.Info("Auto-rebalance: replicas are spread evenly over brokers [{0}]", string.Join(",", EligibleBrokers.Order()));
            return;
        }
        _log.Info("Auto-rebalance: reassigning {0}", string.Join("; ", plan.Select(m => $"{m.Partition} to [{string.Join(",", m.Replicas)}]")));
        Execute(new AlterReassignments(plan.Select(m => new ReassignPartition(m.Partition, m.Replicas)).ToList()), Self);
    }

    private void OnAutoRebalanceStarted(AlterReassignmentsResult result)
    {
        foreach (var refused in result.Partitions.Where(o => o.Error != Protocol.ErrorCode.None))
            _log.Warning("Auto-rebalance could not reassign {0}: {1} {2}", refused.Partition, refused.Error, refused.ErrorMessage);
    }

    private sealed class AutoRebalanceTick
    {
        public static readonly AutoRebalanceTick Instance = new();
    }
}
