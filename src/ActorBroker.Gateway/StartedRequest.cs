using System.Buffers;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway;

/// <summary>A request the dispatcher has started: its response to come, and when the next request may start.</summary>
public sealed record StartedRequest(Task<DispatchedResponse> Response, Task Submitted)
{
    public static StartedRequest Done(DispatchedResponse response)
    {
        var completed = Task.FromResult(response);
        return new StartedRequest(completed, completed);
    }
}

/// <summary>What a served request answers: a response frame (header and body), no response, or closing the connection.</summary>
public sealed record DispatchedResponse(DispatchOutcome Outcome, int CorrelationId, short ResponseHeaderVersion, Action<KafkaWriter>? Body)
{
    public static readonly DispatchedResponse None = new(DispatchOutcome.NoResponse, 0, 0, null);
    public static readonly DispatchedResponse Close = new(DispatchOutcome.CloseConnection, 0, 0, null);

    /// <summary>Writes the response frame ([int32 length][response header][body]) when there is one.</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        if (Outcome == DispatchOutcome.Responded && Body is not null)
            RequestDispatcher.WriteFrame(output, CorrelationId, ResponseHeaderVersion, Body);
    }
}
