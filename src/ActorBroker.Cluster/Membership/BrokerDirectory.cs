using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using AkkaCluster = Akka.Cluster.Cluster;

namespace ActorBroker.Cluster.Membership;

/// <summary>
/// This node's live view of the cluster's brokers, kept from Akka's membership events (each broker's identity
/// comes from its roles, see <see cref="BrokerIdentity"/>). <see cref="Current"/> may be read from any thread:
/// the gateway answers Metadata from it without asking an actor.
/// </summary>
public sealed class BrokerDirectory
{
    private volatile BrokerView _current = BrokerView.Empty;

    private BrokerDirectory()
    {
    }

    public BrokerView Current => _current;

    public static BrokerDirectory Start(ActorSystem system)
    {
        // Seeded from the cluster's current state so the first requests after start-up already see this node.
        var directory = new BrokerDirectory { _current = BrokerView.From(AkkaCluster.Get(system).State) };
        system.ActorOf(Props.Create(() => new MembershipListener(directory)), "broker-directory");
        return directory;
    }

    private sealed class MembershipListener : ReceiveActor
    {
        // Every member by address (with its uid), for the controller's age ordering.
        private ImmutableDictionary<UniqueAddress, Member> _members = ImmutableDictionary<UniqueAddress, Member>.Empty;

        public MembershipListener(BrokerDirectory directory)
        {
            Receive<ClusterEvent.CurrentClusterState>(state =>
            {
                _members = state.Members.ToImmutableDictionary(m => m.UniqueAddress);
                directory._current = WithController(BrokerView.From(state));
            });
            Receive<ClusterEvent.IMemberEvent>(e =>
            {
                _members = e.Member.Status == MemberStatus.Removed ? _members.Remove(e.Member.UniqueAddress) : _members.SetItem(e.Member.UniqueAddress, e.Member);
                directory._current = WithController(directory._current.With(e.Member));
            });
            Receive<ClusterEvent.UnreachableMember>(e => directory._current = directory._current.WithReachability(e.Member, reachable: false));
            Receive<ClusterEvent.ReachableMember>(e => directory._current = directory._current.WithReachability(e.Member, reachable: true));
        }

        private BrokerView WithController(BrokerView view) => view with { ControllerNodeId = BrokerView.OldestBroker(_members.Values) };

        protected override void PreStart() =>
            AkkaCluster.Get(Context.System).Subscribe(
                Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
                typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

        protected override void PostStop() => AkkaCluster.Get(Context.System).Unsubscribe(Self);
    }
}
