using ActorBroker.TestKit;
using Confluent.Kafka;
using Xunit;

namespace ActorBroker.Compatibility.Tests;

/// <summary>The clients the compatibility tests drive are present and are the versions we mean (no node needed).</summary>
public sealed class ToolchainTests
{
    [Fact]
    public void Confluent_kafka_uses_the_librdkafka_bundled_in_its_package()
    {
        var packageVersion = typeof(Library).Assembly.GetName().Version!;
        var expected = $"{packageVersion.Major}.{packageVersion.Minor}.";
        var actual = Library.VersionString;
        if (ConfluentNative.UsesBundled)
        {
            Assert.True(actual.StartsWith(expected, StringComparison.Ordinal),
                $"librdkafka {actual} loaded, expected {expected}x from {ConfluentNative.BundledFileName}");
            Assert.EndsWith(ConfluentNative.BundledFileName, ConfluentNative.LoadedFrom);
        }
    }

    [Fact]
    public async Task Kafka_python_is_importable_by_usr_bin_python3()
    {
        var result = await ExternalCommand.RunAsync("/usr/bin/python3", ["-c", "import kafka; print(kafka.__version__)"]);
        result.EnsureSuccess();
        Assert.Matches(@"^\d+\.\d+", result.Stdout.Trim());
    }

    [Fact]
    public async Task Kcat_runs()
    {
        var result = await ExternalCommand.RunAsync("kcat", ["-V"]);
        result.EnsureSuccess();
        Assert.Contains("librdkafka", result.Stdout + result.Stderr);
    }

    [Fact]
    public async Task Kafkajs_is_installed_in_the_js_folder()
    {
        var js = Path.Combine(RepoPaths.Root, "tests", "ActorBroker.Compatibility.Tests", "js");
        var result = await ExternalCommand.RunAsync("node", ["-e", "console.log(require('kafkajs/package.json').version)"], workingDirectory: js);
        result.EnsureSuccess();
        Assert.Matches(@"^\d+\.\d+\.\d+", result.Stdout.Trim());
    }
}
