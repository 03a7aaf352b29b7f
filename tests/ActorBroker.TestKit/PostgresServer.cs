using System.Runtime.InteropServices;
using Npgsql;

namespace ActorBroker.TestKit;

/// <summary>
/// A private PostgreSQL server for tests: <c>initdb</c> into a temporary directory, <c>pg_ctl start</c> on a free
/// 127.0.0.1 port (trust authentication, user <c>postgres</c>, fsync off: test data need not survive a power loss),
/// and <c>pg_ctl stop -m immediate</c> plus removal of the directory on dispose. PostgreSQL refuses to run as root,
/// so as root every server command runs as the <c>postgres</c> OS user (<c>runuser -u postgres</c>), which owns the
/// directory. Binaries come from the newest <c>/usr/lib/postgresql/&lt;version&gt;/bin</c>, or ACTORBROKER_PG_BIN.
/// scripts/test.sh installs the Debian package <c>postgresql</c> when it is missing.
/// </summary>
/// <remarks>Thread-safe for <see cref="CreateDatabaseAsync"/>; one owner disposes it.</remarks>
public sealed partial class PostgresServer : IAsyncDisposable
{
    private const string OsUser = "postgres";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly string _bin;
    private readonly string _workDir;

    private PostgresServer(string bin, string workDir, int port)
    {
        _bin = bin;
        _workDir = workDir;
        Port = port;
    }

    public int Port { get; }

    private string DataDir => Path.Combine(_workDir, "data");

    private string LogFile => Path.Combine(_workDir, "postgres.log");

    /// <summary>The connection string of <paramref name="database"/> on this server.</summary>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Database={database};Username={OsUser};Pooling=true;Maximum Pool Size=20";

    /// <summary>Creates a server and waits until it accepts connections.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        string bin = FindBinaries();
        string workDir = Path.Combine(Path.GetTempPath(), "actorbroker-tests", "pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(workDir);
        var server = new PostgresServer(bin, workDir, FreePort.Next());
        try
        {
            await server.InitAndStartAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates an empty database (a name unique to the caller, e.g. one per test class) and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            throw new ArgumentException($"Database name '{name}' must be letters, digits and underscores.", nameof(name));
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>Runs one SQL query returning a single value in <paramref name="database"/>.</summary>
    public async Task<object?> ScalarAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private async Task InitAndStartAsync()
    {
        bool root = GetEffectiveUserId() == 0;
        if (root)
        {
            // The postgres user must reach the directory: open the parents for traversal, hand it the work dir.
            (await ExternalCommand.RunAsync("chmod", ["go+x", Path.GetDirectoryName(_workDir)!, _workDir], timeout: CommandTimeout)).EnsureSuccess();
            (await ExternalCommand.RunAsync("chown", [$"{OsUser}:", _workDir], timeout: CommandTimeout)).EnsureSuccess();
        }
        await RunServerCommandAsync(root, "initdb", "-D", DataDir, "-U", OsUser, "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C");
        await RunServerCommandAsync(root, "pg_ctl", "start", "-w", "-t", "60", "-D", DataDir, "-l", LogFile,
            "-o", $"-p {Port} -k {_workDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200");
    }

    private async Task RunServerCommandAsync(bool root, string tool, params string[] args)
    {
        string exe = Path.Combine(_bin, tool);
        var result = root
            ? await ExternalCommand.RunAsync("runuser", new[] { "-u", OsUser, "--", exe }.Concat(args), timeout: CommandTimeout, workingDirectory: _workDir)
            : await ExternalCommand.RunAsync(exe, args, timeout: CommandTimeout, workingDirectory: _workDir);
        if (result.ExitCode != 0)
        {
            string log = File.Exists(LogFile) ? File.ReadAllText(LogFile) : "(no server log)";
            throw new InvalidOperationException($"{result.Description} exited {result.ExitCode}.\n{result}\n--- postgres.log ---\n{log}");
        }
    }

    private static string FindBinaries()
    {
        string? overridden = Environment.GetEnvironmentVariable("ACTORBROKER_PG_BIN");
        if (!string.IsNullOrEmpty(overridden))
            return overridden;
        const string root = "/usr/lib/postgresql";
        var bin = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(d => (Dir: d, Version: int.TryParse(Path.GetFileName(d), out int v) ? v : -1))
                .Where(d => File.Exists(Path.Combine(d.Dir, "bin", "pg_ctl")))
                .OrderByDescending(d => d.Version)
                .Select(d => Path.Combine(d.Dir, "bin"))
                .FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException(
            "PostgreSQL server binaries not found under /usr/lib/postgresql/<version>/bin: install the Debian package " +
            "'postgresql' (scripts/test.sh does when run as root) or set ACTORBROKER_PG_BIN.");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(DataDir, "postmaster.pid")))
                await RunServerCommandAsync(GetEffectiveUserId() == 0, "pg_ctl", "stop", "-D", DataDir, "-m", "immediate", "-w");
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("ACTORBROKER_KEEP_TEST_DATA") is null or "" or "0")
            {
                try { Directory.Delete(_workDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}
