namespace ActorBroker.Storage.Tests;

/// <summary>The node-wide rounds the timed flushes fsync in.</summary>
public sealed class GroupSyncTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Requests_that_arrive_while_a_round_runs_all_share_the_next_round()
    {
        var group = new GroupSync();
        using var firstRunning = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var first = group.SyncAsync(null, [() => { firstRunning.Set(); release.Wait(Patience); }]);
        Assert.True(firstRunning.Wait(Patience));

        int ran = 0;
        var waiting = Enumerable.Range(0, 5).Select(_ => group.SyncAsync(null, [() => Interlocked.Increment(ref ran)])).ToList();
        release.Set();
        await first;
        await Task.WhenAll(waiting);

        Assert.Equal(5, ran);
        Assert.Equal(2, group.Rounds);
    }

    [Fact]
    public async Task A_failing_fsync_fails_only_its_own_request_and_the_rest_of_its_fsyncs_still_run()
    {
        var group = new GroupSync();
        using var release = new ManualResetEventSlim();
        var blocker = group.SyncAsync(null, [() => release.Wait(Patience)]);
        bool laterRan = false, neighbourRan = false;
        var failing = group.SyncAsync(null, [() => throw new IOException("disk gone"), () => laterRan = true]);
        var neighbour = group.SyncAsync(null, [() => neighbourRan = true]);
        release.Set();

        var error = await Assert.ThrowsAsync<IOException>(() => failing);
        Assert.Equal("disk gone", error.Message);
        await neighbour;
        await blocker;
        Assert.True(laterRan);
        Assert.True(neighbourRan);
    }

    [Fact]
    public async Task A_round_syncs_the_file_system_of_a_closed_file_without_failing()
    {
        string path = Path.GetTempFileName();
        try
        {
            var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
            handle.Dispose();
            bool ran = false;
            await new GroupSync().SyncAsync(handle, [() => ran = true]);
            Assert.True(ran);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void On_Linux_the_file_system_of_an_open_file_is_synced_in_one_call_and_elsewhere_the_fsyncs_do_it_alone()
    {
        string path = Path.GetTempFileName();
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
            RandomAccess.Write(handle, new byte[] { 1, 2, 3 }, 0);
            Assert.Equal(OperatingSystem.IsLinux(), FileSystemSync.TrySyncFileSystemOf(handle));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
