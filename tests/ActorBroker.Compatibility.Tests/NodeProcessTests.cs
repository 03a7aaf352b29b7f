using System.Net;
using System.Net.Sockets;
using ActorBroker.TestKit;
using Xunit;

namespace ActorBroker.Compatibility.Tests;

/// <summary>The node's process contract the fixture relies on: ready line, listener, SIGTERM exits 0, restart on the same port, a taken port.</summary>
public sealed class NodeProcessTests
{
    [Fact]
    public async Task Node_starts_listens_stops_on_sigterm_with_exit_code_0_and_restarts_on_the_same_port()
    {
        await using var node = await NodeProcess.StartAsync();
        await node.WithLogOnFailureAsync(async () =>
        {
            Assert.True(FreePort.IsListening(IPAddress.Loopback, node.Port, TimeSpan.FromSeconds(5)), "Nothing listens after the ready line.");
            Assert.Contains($"127.0.0.1:{node.Port}", node.Log.Split('\n').First(l => l.Contains(NodeProcess.ReadyMarker)));

            var exitCode = await node.StopAsync(graceful: true);
            Assert.Equal(0, exitCode);
            Assert.False(FreePort.IsListening(IPAddress.Loopback, node.Port, TimeSpan.FromSeconds(2)), "The port is still open after exit.");

            await node.RestartAsync();
            Assert.True(FreePort.IsListening(IPAddress.Loopback, node.Port, TimeSpan.FromSeconds(5)), "Nothing listens after restart.");

            node.Kill();
            Assert.False(node.IsRunning);
            await node.RestartAsync();
            Assert.True(FreePort.IsListening(IPAddress.Loopback, node.Port, TimeSpan.FromSeconds(5)), "Nothing listens after restart from SIGKILL.");
        });
    }

    [Fact]
    public async Task A_node_whose_kafka_port_is_taken_says_so_and_exits_with_code_1()
    {
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        holder.Listen();
        int port = ((IPEndPoint)holder.LocalEndPoint!).Port;

        var failure = await Assert.ThrowsAsync<NodeProcessException>(() => NodeProcess.StartAsync(new NodeOptions { Port = port }));

        Assert.Contains("exited with code 1 before it was ready", failure.Message);
        Assert.Contains($"Cannot listen for Kafka clients on 127.0.0.1:{port}", failure.Message);
        Assert.Contains("--kafka-listen", failure.Message);
    }
}
