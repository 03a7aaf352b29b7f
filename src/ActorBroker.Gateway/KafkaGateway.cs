using Akka.Event;
using ActorBroker.Cluster;
using ActorBroker.Gateway.Handlers;

namespace ActorBroker.Gateway;

/// <summary>The Kafka protocol front door of a node: the served APIs, their dispatcher and the TCP listener.</summary>
public sealed class KafkaGateway : IAsyncDisposable
{
    private readonly KafkaListener _listener;

    private KafkaGateway(KafkaListener listener) => _listener = listener;

    public System.Net.IPEndPoint LocalEndPoint => _listener.LocalEndPoint;

    public static IReadOnlyList<IRequestHandler> CreateHandlers()
    {
        var handlers = new List<IRequestHandler>();
        handlers.AddRange(
        [
            new ProduceHandler(),
            new FetchHandler(),
            new ListOffsetsHandler(),
            new MetadataHandler(),
            new CreateTopicsHandler(),
            new DeleteTopicsHandler(),
            new CreatePartitionsHandler(),
            new AlterPartitionReassignmentsHandler(),
            new ListPartitionReassignmentsHandler(),
            new DescribeConfigsHandler(),
            new AlterConfigsHandler(),
            new IncrementalAlterConfigsHandler(),
            new DeleteRecordsHandler(),
            new FindCoordinatorHandler(),
            new JoinGroupHandler(),
            new SyncGroupHandler(),
            new HeartbeatHandler(),
            new LeaveGroupHandler(),
            new OffsetCommitHandler(),
            new OffsetFetchHandler(),
            new ListGroupsHandler(),
            new DescribeGroupsHandler(),
            new DeleteGroupsHandler(),
            new OffsetDeleteHandler(),
            new DescribeClusterHandler(),
            new ApiVersionsHandler(() => handlers),
        ]);
        return handlers;
    }

    public static KafkaGateway Start(BrokerServices broker, GatewaySettings settings) =>
        Start(broker, settings, KafkaListener.Bind(settings));

    /// <summary>Serves Kafka clients on a listener bound earlier (<see cref="KafkaListener.Bind"/>).</summary>
    public static KafkaGateway Start(BrokerServices broker, GatewaySettings settings, KafkaListener bound)
    {
        var log = Logging.GetLogger(broker.System, "ActorBroker.Gateway");
        bound.Start(new RequestDispatcher(CreateHandlers(), broker, settings, log), log);
        log.Info("Kafka listener on {0}, advertised as {1}:{2}", bound.LocalEndPoint, settings.AdvertisedHost, settings.AdvertisedPort);
        return new KafkaGateway(bound);
    }

    public ValueTask DisposeAsync() => _listener.DisposeAsync();
}
