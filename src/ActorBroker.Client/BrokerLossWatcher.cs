using Akka.Actor;
using Akka.Cluster;
using ActorBroker.Cluster.Membership;
using AkkaCluster = Akka.Cluster.Cluster;

namespace ActorBroker.Client;

/// <summary>
/// Tells the client when it has been without a live, reachable broker for <c>reconnect-after</c>: the brokers all
/// left, were removed or became unreachable (a restarted broker is a new incarnation that never answers the old
/// client's membership). Keeps the same <see cref="BrokerView"/> the brokers' own directory keeps.
/// </summary>
internal sealed class BrokerLossWatcher : ReceiveActor, IWithTimers
{
    private const string LostTimer = "lost";

    private readonly TimeSpan _grace;
    private readonly TaskCompletionSource<string> _lost;
    private BrokerView _view = BrokerView.Empty;

    public BrokerLossWatcher(TimeSpan grace, TaskCompletionSource<string> lost)
    {
        _grace = grace;
        _lost = lost;
        Receive<ClusterEvent.CurrentClusterState>(state => Update(BrokerView.From(state)));
        Receive<ClusterEvent.IMemberEvent>(e => Update(_view.With(e.Member)));
        Receive<ClusterEvent.UnreachableMember>(e => Update(_view.WithReachability(e.Member, reachable: false)));
        Receive<ClusterEvent.ReachableMember>(e => Update(_view.WithReachability(e.Member, reachable: true)));
        Receive<Lost>(_ => _lost.TrySetResult($"no live, reachable broker for {_grace.TotalSeconds:0.#} s"));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(TimeSpan grace, TaskCompletionSource<string> lost) =>
        Akka.Actor.Props.Create(() => new BrokerLossWatcher(grace, lost));

    private void Update(BrokerView view)
    {
        _view = view;
        if (view.Live.Any(m => m.Reachable))
            Timers.Cancel(LostTimer);
        else if (!Timers.IsTimerActive(LostTimer))
            Timers.StartSingleTimer(LostTimer, Lost.Instance, _grace);
    }

    protected override void PreStart() =>
        AkkaCluster.Get(Context.System).Subscribe(
            Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

    protected override void PostStop() => AkkaCluster.Get(Context.System).Unsubscribe(Self);

    private sealed record Lost
    {
        public static readonly Lost Instance = new();
    }
}
