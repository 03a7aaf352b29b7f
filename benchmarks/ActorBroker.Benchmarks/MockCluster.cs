using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using ActorBroker.Compatibility.Tests;
using Confluent.Kafka;

namespace ActorBroker.Benchmarks;

/// <summary>
/// The reference broker: librdkafka's built-in mock cluster (<c>test.mock.num.brokers</c>), a C broker that keeps
/// its logs in memory. A client created with that property starts the cluster inside its own instance; its brokers
/// listen on real 127.0.0.1 TCP ports, which the client's metadata names, so ordinary producers and consumers reach
/// them through bootstrap.servers. The mock does not serve CreateTopics (an admin client waits for a controller in
/// vain), so topics are made with librdkafka's <c>rd_kafka_mock_topic_create</c> on the owning handle.
/// <para>
/// <c>ActorBroker.Benchmarks mock-cluster [--brokers N]</c> runs it in a process of its own, so its CPU time is
/// measured like the node's and it does not share a process with the clients. It prints <c>bootstrap=HOST:PORT,...</c>,
/// then serves lines on standard input: <c>create TOPIC PARTITIONS</c> answers <c>created TOPIC</c> or
/// <c>error MESSAGE</c>. It ends when standard input closes.
/// </para>
/// </summary>
public sealed class MockCluster : IDisposable
{
    public const string Name = "mock-cluster";
    public const string BootstrapPrefix = "bootstrap=";

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr HandleMockCluster(IntPtr rk);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int MockTopicCreate(IntPtr mcluster, [MarshalAs(UnmanagedType.LPUTF8Str)] string topic, int partitions, int replicationFactor);

    private readonly IProducer<Null, Null> _owner;
    private readonly IntPtr _mcluster;
    private readonly MockTopicCreate _topicCreate;

    public string Bootstrap { get; }

    private MockCluster(IProducer<Null, Null> owner, string bootstrap)
    {
        _owner = owner;
        Bootstrap = bootstrap;
        var library = NativeLibrary.Load(ConfluentNative.LoadedFrom ?? ConfluentNative.FindBundled());
        var handleMockCluster = Marshal.GetDelegateForFunctionPointer<HandleMockCluster>(NativeLibrary.GetExport(library, "rd_kafka_handle_mock_cluster"));
        _topicCreate = Marshal.GetDelegateForFunctionPointer<MockTopicCreate>(NativeLibrary.GetExport(library, "rd_kafka_mock_topic_create"));
        _mcluster = handleMockCluster(NativeHandle(owner.Handle));
        if (_mcluster == IntPtr.Zero)
            throw new InvalidOperationException("rd_kafka_handle_mock_cluster returned no mock cluster.");
    }

    public static MockCluster Start(int brokers)
    {
        var config = new ProducerConfig { ClientId = "actorbroker-bench-mock-owner" };
        config.Set("test.mock.num.brokers", brokers.ToString(CultureInfo.InvariantCulture));
        var owner = new ProducerBuilder<Null, Null>(config).Build();
        using var admin = new DependentAdminClientBuilder(owner.Handle).Build();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
        string bootstrap = string.Join(",", metadata.Brokers.OrderBy(b => b.BrokerId).Select(b => $"{b.Host}:{b.Port}"));
        return new MockCluster(owner, bootstrap);
    }

    public void CreateTopic(string topic, int partitions)
    {
        int error = _topicCreate(_mcluster, topic, partitions, 1);
        if (error != 0)
            throw new InvalidOperationException($"rd_kafka_mock_topic_create({topic}, {partitions}) failed: {(ErrorCode)error}");
    }

    public static int Run(string[] args, Action<string> log)
    {
        int brokers = 1;
        for (int i = 0; i < args.Length; i++)
        {
            brokers = args[i] switch
            {
                "--brokers" when i + 1 < args.Length && int.TryParse(args[++i], out int n) && n > 0 => n,
                _ => throw new ArgumentException($"{Name}: unknown or incomplete option {args[i]}; usage: {Name} [--brokers N]"),
            };
        }
        using var cluster = Start(brokers);
        log($"{Name}: librdkafka {Library.VersionString} mock cluster of {brokers} broker(s) at {cluster.Bootstrap}");
        Console.WriteLine(BootstrapPrefix + cluster.Bootstrap);
        while (Console.In.ReadLine() is { } line)
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            try
            {
                if (words is not ["create", var topic, var count] || !int.TryParse(count, out int partitions))
                    throw new InvalidOperationException($"expected 'create TOPIC PARTITIONS', not '{line}'");
                cluster.CreateTopic(topic, partitions);
                Console.WriteLine($"created {topic}");
            }
            catch (InvalidOperationException ex)
            {
                Console.WriteLine($"error {ex.Message}");
            }
        }
        return 0;
    }

    /// <summary>The rd_kafka_t pointer behind a Confluent handle (its SafeHandle is not public).</summary>
    private static IntPtr NativeHandle(Handle handle)
    {
        var property = typeof(Handle).GetProperty("LibrdkafkaHandle", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("Confluent.Kafka's Handle has no LibrdkafkaHandle property in this version.");
        return ((SafeHandle)property.GetValue(handle)!).DangerousGetHandle();
    }

    public void Dispose() => _owner.Dispose();
}
