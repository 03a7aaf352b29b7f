namespace ActorBroker.Node.Admin;

/// <summary>Options every admin command shares, and how they connect.</summary>
public static class AdminOptions
{
    public const string Bootstrap = "bootstrap";

    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The value options of a command plus the shared ones.</summary>
    public static string[] With(params string[] valueOptions) => [Bootstrap, .. valueOptions];

    public static Task<KafkaAdminConnection> ConnectAsync(CommandLine line, CancellationToken cancellationToken)
    {
        string bootstrap = line.Value(Bootstrap) ?? KafkaAdminConnection.DefaultBootstrap;
        KafkaAdminConnection.ParseHostPort(bootstrap); // usage errors before any network
        return KafkaAdminConnection.ConnectAsync(bootstrap, ConnectTimeout, cancellationToken);
    }

    /// <summary>The one positional argument (a topic name) a command takes; anything else is a usage error.</summary>
    public static string SingleName(CommandLine line, string what)
    {
        if (line.Positional.Count == 0)
            throw new UsageException($"Missing the {what}.");
        if (line.Positional.Count > 1)
            throw new UsageException($"Expected one {what}, but got {line.Positional.Count}: {string.Join(" ", line.Positional)}.");
        return line.Positional[0];
    }
}
