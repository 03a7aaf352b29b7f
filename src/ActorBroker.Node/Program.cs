using ActorBroker.Node;
using ActorBroker.Node.Commands;

const string Usage = """
    actorbroker: a Kafka-compatible message broker on an Akka.NET cluster

    Usage:
      actorbroker run [options]          start a node (actorbroker run --help for its options)
      actorbroker --help                 this text

    Kafka clients (kafka-python, librdkafka/kcat, Confluent.Kafka, kafkajs) connect to the node's Kafka listener,
    127.0.0.1:9092 unless --kafka-listen says otherwise.
    """;

try
{
    if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
    {
        Console.WriteLine(Usage);
        return args.Length == 0 ? 2 : 0;
    }
    var rest = args.Skip(1).ToArray();
    bool wantsHelp = rest.Contains("--help") || rest.Contains("-h");
    switch (args[0])
    {
        case "run":
            if (wantsHelp)
            {
                Console.WriteLine(RunCommand.Help);
                return 0;
            }
            return await RunCommand.RunAsync(CommandLine.Parse(rest, RunOptions.ValueOptions, []));
        default:
            throw new UsageException($"Unknown command '{args[0]}'.");
    }
}
catch (UsageException ex)
{
    Console.Error.WriteLine($"actorbroker: {ex.Message} Run 'actorbroker --help' for usage.");
    return 2;
}
