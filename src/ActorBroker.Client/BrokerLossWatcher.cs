using Akka.Actor;
using Akka.Cluster;
using ActorBroker.Cluster.Membership;
using AkkaCluster = Akka.Cluster.Cluster;

namespace ActorBroker.Client;

/// <summary>The brokers one client membership sees, readable from any thread (set by <see cref="BrokerLossWatcher"/>).</summary>
internal sealed class ClientBrokerView
{
    private volatile BrokerView _current = BrokerView.Empty;

    public BrokerView Current
    {
        get => _current;
        set => _current = value;
    }

    /// <summary>Live brokers this member can reach.</summary>
    public IEnumerable<BrokerMember> Reachable => _current.Live.Where(m => m.Reachable);
}

/// <summary>
/// Keeps the client's view of the brokers (the same <see cref="BrokerView"/> the brokers' own directory keeps) and
/// tells the client two things: when it first sees a live, reachable broker (the connection is usable), and when,
/// after that, it has been without one for <c>reconnect-after</c>: the brokers all left, were removed or became
/// unreachable (a restarted broker is a new incarnation that never answers the old client's membership).
/// </summary>
internal sealed class BrokerLossWatcher : ReceiveActor, IWithTimers
{
    private const string LostTimer = "lost";

    private readonly TimeSpan _grace;
    private readonly ClientBrokerView _view;
    private readonly TaskCompletionSource _found;
    private readonly TaskCompletionSource<string> _lost;

    public BrokerLossWatcher(TimeSpan grace, ClientBrokerView view, TaskCompletionSource found, TaskCompletionSource<string> lost)
    {
        _grace = grace;
        _view = view;
        _found = found;
        _lost = lost;
        Receive<ClusterEvent.CurrentClusterState>(state => Update(BrokerView.From(state)));
        Receive<ClusterEvent.IMemberEvent>(e => Update(_view.Current.With(e.Member)));
        Receive<ClusterEvent.UnreachableMember>(e => Update(_view.Current.WithReachability(e.Member, reachable: false)));
        Receive<ClusterEvent.ReachableMember>(e => Update(_view.Current.WithReachability(e.Member, reachable: true)));
        Receive<Lost>(_ => _lost.TrySetResult($"no live, reachable broker for {_grace.TotalSeconds:0.#} s"));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(TimeSpan grace, ClientBrokerView view, TaskCompletionSource found, TaskCompletionSource<string> lost) =>
        Akka.Actor.Props.Create(() => new BrokerLossWatcher(grace, view, found, lost));

    private void Update(BrokerView view)
    {
        _view.Current = view;
        if (_view.Reachable.Any())
        {
            _found.TrySetResult();
            Timers.Cancel(LostTimer);
        }
        else if (_found.Task.IsCompleted && !Timers.IsTimerActive(LostTimer))
        {
            Timers.StartSingleTimer(LostTimer, Lost.Instance, _grace);
        }
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
