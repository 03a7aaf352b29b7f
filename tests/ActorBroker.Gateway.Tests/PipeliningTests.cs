using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using Akka.Event;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;
using ActorBroker.TestKit;

namespace ActorBroker.Gateway.Tests;

/// <summary>
/// Several requests of one connection in flight: a Produce lets the next request start once its batches are on their
/// way, every other request is served alone, and responses always go back in request order.
/// </summary>
public sealed class PipeliningTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private GatewayFixture _gateway = null!;
    private readonly CancellationTokenSource _stopping = new();

    public async Task InitializeAsync() => _gateway = await GatewayFixture.StartAsync();

    public async Task DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _gateway.DisposeAsync();
    }

    [Fact]
    public async Task Back_to_back_produce_requests_on_one_connection_are_appended_and_answered_in_request_order()
    {
        await using var admin = await _gateway.ConnectAsync();
        await admin.SendAsync<CreateTopicsResponse>(Requests.CreateTopic("pipelined", 1), 4);
        await using var client = await _gateway.ConnectAsync();
        const int count = 40;
        var frames = new List<byte>();
        var correlationIds = new List<int>();
        for (int n = 0; n < count; n++)
        {
            frames.AddRange(client.Frame(Requests.Produce("pipelined", 0, Requests.Batch(1, $"record-{n}")), 8, out int correlationId));
            correlationIds.Add(correlationId);
        }
        await client.SendRawAsync(frames.ToArray()); // all of them at once: the broker has them all before answering one

        for (int n = 0; n < count; n++)
        {
            var response = await client.ReceiveAsync<ProduceResponse>(ApiKey.Produce, 8, correlationIds[n]);
            var partition = response.Responses.Single().PartitionResponses.Single();
            Assert.Equal((short)ErrorCode.None, partition.ErrorCode);
            Assert.Equal(n, partition.BaseOffset);
        }
    }

    [Fact]
    public async Task A_request_that_marked_itself_submitted_lets_the_next_one_start_but_is_answered_first()
    {
        var handler = new GatedHandler(marksSubmitted: true);
        var client = Connect(handler);
        var first = client.Frame(new ProduceRequest(), 8, out int firstId);
        var second = client.Frame(new ProduceRequest(), 8, out int secondId);
        await client.SendRawAsync(first.Concat(second).ToArray());

        await handler.WaitForAsync($"start {secondId}"); // started while the first still waits
        handler.Release(secondId);
        await handler.WaitForAsync($"finish {secondId}");
        handler.Release(firstId);

        Assert.Equal(firstId, CorrelationIdOf(await client.ReceiveFrameAsync(Timeout)));
        Assert.Equal(secondId, CorrelationIdOf(await client.ReceiveFrameAsync(Timeout)));
    }

    [Fact]
    public async Task A_request_that_does_not_mark_itself_submitted_is_served_alone()
    {
        var handler = new GatedHandler(marksSubmitted: false);
        var client = Connect(handler);
        var first = client.Frame(new ProduceRequest(), 8, out int firstId);
        var second = client.Frame(new ProduceRequest(), 8, out int secondId);
        await client.SendRawAsync(first.Concat(second).ToArray());

        await handler.WaitForAsync($"start {firstId}");
        await Task.Delay(300); // room for a wrongly pipelined second request to start
        handler.Release(firstId);
        handler.Release(secondId);
        Assert.Equal(firstId, CorrelationIdOf(await client.ReceiveFrameAsync(Timeout)));
        Assert.Equal(secondId, CorrelationIdOf(await client.ReceiveFrameAsync(Timeout)));

        Assert.Equal([$"start {firstId}", $"finish {firstId}", $"start {secondId}", $"finish {secondId}"], handler.Events);
    }

    private KafkaWireClient Connect(IRequestHandler handler)
    {
        var log = Logging.GetLogger(_gateway.Broker.System, "pipelining-test");
        var dispatcher = new RequestDispatcher([handler], _gateway.Broker, _gateway.Settings, log);
        var toBroker = new Pipe();
        var toClient = new Pipe();
        var connection = new KafkaConnection(null, dispatcher, _gateway.Settings, log);
        _ = Task.Run(() => connection.RunAsync(toBroker.Reader, toClient.Writer, _stopping.Token));
        return new KafkaWireClient(toClient.Reader.AsStream(), toBroker.Writer.AsStream());
    }

    private static int CorrelationIdOf(byte[]? frame) =>
        BinaryPrimitives.ReadInt32BigEndian(frame ?? throw new IOException("The connection closed instead of answering."));

    /// <summary>A Produce handler that records when each request starts and finishes and answers only when released.</summary>
    private sealed class GatedHandler(bool marksSubmitted) : IRequestHandler
    {
        private readonly ConcurrentDictionary<int, TaskCompletionSource> _gates = new();
        private readonly ConcurrentQueue<string> _events = new();

        public ApiKey Key => ApiKey.Produce;
        public short MinVersion => 3;
        public short MaxVersion => 8;

        public IReadOnlyList<string> Events => _events.ToList();

        public void Release(int correlationId) => Gate(correlationId).TrySetResult();

        public async Task WaitForAsync(string @event)
        {
            using var timeout = new CancellationTokenSource(Timeout);
            while (!_events.Contains(@event))
                await Task.Delay(10, timeout.Token);
        }

        public async Task<Action<KafkaWriter>?> HandleAsync(RequestContext context, KafkaReader body, CancellationToken cancellationToken)
        {
            int correlationId = context.Header.CorrelationId;
            _events.Enqueue($"start {correlationId}");
            if (marksSubmitted)
                context.MarkSubmitted();
            await Gate(correlationId).Task.WaitAsync(cancellationToken);
            _events.Enqueue($"finish {correlationId}");
            return writer => writer.WriteInt32(correlationId);
        }

        private TaskCompletionSource Gate(int correlationId) =>
            _gates.GetOrAdd(correlationId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}
