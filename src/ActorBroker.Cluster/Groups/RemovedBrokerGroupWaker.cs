using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using ActorBroker.Cluster.Membership;

namespace ActorBroker.Cluster.Groups;

/// <summary>
/// Wakes every persisted group again when a broker is removed from the cluster. Group coordinators that ran on the
/// removed node would otherwise only restart (elsewhere) when a request for the group arrives, so until then no
/// node would list them in ListGroups; Kafka's new coordinator likewise loads every group of the offsets partition
/// it takes over. Waking a running coordinator is a no-op, so each node doing it is harmless.
/// </summary>
public sealed class RemovedBrokerGroupWaker : ReceiveActor
{
    public const string Name = "removed-broker-group-waker";

    public RemovedBrokerGroupWaker(IActorRef groups)
    {
        var cluster = Akka.Cluster.Cluster.Get(Context.System);
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            if (!removed.Member.HasRole(BrokerIdentity.BrokerRole) || removed.Member.Address == cluster.SelfAddress)
                return;
            var log = Context.GetLogger();
            GroupDirectory.WakePersistedGroupsAsync(Context.System, groups).ContinueWith(t =>
            {
                if (t.IsFaulted)
                    log.Warning("Could not wake the consumer groups after broker {0} was removed: {1}", removed.Member.Address, t.Exception?.GetBaseException().Message);
            });
        });
        cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberRemoved));
    }

    public static Props Props(IActorRef groups) => Akka.Actor.Props.Create(() => new RemovedBrokerGroupWaker(groups));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
}
