using System.Buffers;
using System.Reflection;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;
using Xunit;

namespace ActorBroker.Protocol.Tests.Messages;

public class MessageRoundTripTests
{
    private static readonly (string Api, short From, short To)[] Required =
    {
        ("ApiVersions", 0, 3), ("Metadata", 0, 8), ("Produce", 3, 8), ("Fetch", 4, 11), ("ListOffsets", 1, 5),
        ("CreateTopics", 0, 4), ("DeleteTopics", 0, 3), ("DescribeConfigs", 0, 2), ("FindCoordinator", 0, 3),
        ("JoinGroup", 0, 5), ("SyncGroup", 0, 3), ("Heartbeat", 0, 3), ("LeaveGroup", 0, 3), ("OffsetCommit", 0, 7),
        ("OffsetFetch", 0, 7), ("ListGroups", 0, 3), ("DescribeGroups", 0, 4), ("DeleteGroups", 0, 2),
    };

    private static IEnumerable<Type> MessageTypes() =>
        typeof(MetadataRequest).Assembly.GetTypes()
            .Where(t => t.Namespace == "ActorBroker.Protocol.Messages" && !t.IsNested && t.IsClass && !t.IsAbstract
                && (t.Name.EndsWith("Request", StringComparison.Ordinal) || t.Name.EndsWith("Response", StringComparison.Ordinal)))
            .OrderBy(t => t.Name, StringComparer.Ordinal);

    public static IEnumerable<object[]> RequiredCases()
    {
        foreach (var (api, from, to) in Required)
            foreach (var kind in new[] { "Request", "Response" })
                for (short v = from; v <= to; v++)
                    yield return new object[] { api + kind, v };
    }

    public static IEnumerable<object[]> AllCases()
    {
        foreach (var t in MessageTypes())
        {
            short lo = (short)t.GetField("LowestSupportedVersion")!.GetValue(null)!;
            short hi = (short)t.GetField("HighestSupportedVersion")!.GetValue(null)!;
            for (short v = lo; v <= hi; v++)
                yield return new object[] { t.Name, v };
        }
    }

    [Theory]
    [MemberData(nameof(RequiredCases))]
    public void Populated_message_round_trips_byte_for_byte_and_field_for_field(string typeName, short version) =>
        AssertRoundTrip(typeName, version);

    [Theory]
    [MemberData(nameof(AllCases))]
    public void Every_spec_message_round_trips_in_every_valid_version(string typeName, short version) =>
        AssertRoundTrip(typeName, version);

    [Fact]
    public void Required_apis_exist_in_the_generated_code_with_the_required_version_ranges()
    {
        foreach (var (api, from, to) in Required)
        {
            var key = Enum.Parse<ApiKey>(api);
            Assert.True(ApiMessageTypes.IsVersionSupported(key, from), api);
            Assert.True(ApiMessageTypes.IsVersionSupported(key, to), api);
        }
    }

    private static void AssertRoundTrip(string typeName, short version)
    {
        var type = MessageTypes().Single(t => t.Name == typeName);
        var original = new MessageFiller().Fill(type, 0);
        byte[] first = WriteMessage(original, version);
        var (read, consumed) = ReadMessage(type, first, version);
        Assert.Equal(first.Length, consumed);
        byte[] second = WriteMessage(read, version);
        Assert.Equal(first, second);

        int restored = 0;
        string? mismatch = MessageFiller.Compare(original, read, typeName, ref restored);
        Assert.Null(mismatch);
        if (MessageFiller.Properties(type).Any())
            Assert.True(restored > 0 || first.Length <= 1, $"{typeName} v{version}: no field came back with its written value");
    }

    internal static byte[] WriteMessage(object message, short version)
    {
        var buffer = new ArrayBufferWriter<byte>();
        message.GetType().GetMethod("Write")!.Invoke(message, new object[] { new KafkaWriter(buffer), version });
        return buffer.WrittenSpan.ToArray();
    }

    private delegate object ReadDelegate(ref KafkaReader reader, short version);

    internal static (object Message, int Consumed) ReadMessage(Type type, byte[] bytes, short version)
    {
        var method = type.GetMethod("Read", BindingFlags.Public | BindingFlags.Static)!;
        var read = (ReadDelegate)Delegate.CreateDelegate(typeof(ReadDelegate), method, throwOnBindFailure: false)!;
        if (read is null)
        {
            // Return type is the concrete class; wrap through reflection with a boxed reader.
            var args = new object[] { new KafkaReader(bytes), version };
            var result = method.Invoke(null, args)!;
            return (result, ((KafkaReader)args[0]).Position);
        }
        var reader = new KafkaReader(bytes);
        var message = read(ref reader, version);
        return (message, reader.Position);
    }
}
