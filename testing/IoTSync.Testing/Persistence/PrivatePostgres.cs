using System.Globalization;
using IoTSync.Persistence;
using IoTSync.Testing.Processes;
using IoTSync.Testing.Ssh;
using Npgsql;

namespace IoTSync.Testing.Persistence;

/// <summary>
/// A throw-away PostgreSQL server for a test class or collection: Debian's postgresql (15, or the newest
/// under <c>/usr/lib/postgresql</c>), <c>initdb</c> into a temp directory owned by the <c>postgres</c>
/// account (run through <c>runuser</c>: the server refuses to run as root), listening on 127.0.0.1 only
/// at a free port with its Unix socket inside that directory, <c>fsync = off</c> (a test's data need not
/// survive a power cut), started with <c>pg_ctl -w</c>. <see cref="CreateDatabase"/> gives each test a
/// fresh database. Disposing stops the server (<c>pg_ctl stop -m immediate</c>) and removes the directory,
/// also when the test failed. Tests never touch a system database.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    /// <summary>The superuser initdb makes (trust authentication: the server answers loopback only, for the test's lifetime).</summary>
    public const string Superuser = "postgres";

    private const string Account = "postgres";
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(60);
    private int _disposed;

    private PrivatePostgres(string directory, string binaries, int port)
    {
        Directory = directory;
        Binaries = binaries;
        Port = port;
    }

    /// <summary>The temp directory: the cluster (data/), its log (postgres.log) and its Unix socket.</summary>
    public string Directory { get; }

    /// <summary>The server's bin directory (initdb, pg_ctl).</summary>
    public string Binaries { get; }

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    public string DataDirectory => Path.Combine(Directory, "data");

    public string LogFile => Path.Combine(Directory, "postgres.log");

    /// <summary>What the server has logged so far (for a failing test's message).</summary>
    public string Log => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "";

    /// <summary>The newest PostgreSQL server's bin directory Debian installed, or null.</summary>
    public static string? FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        if (!System.IO.Directory.Exists(root))
            return null;
        return System.IO.Directory.GetDirectories(root)
            .Select(d => (Directory: d, Version: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1))
            .Where(d => d.Version > 0 && File.Exists(Path.Combine(d.Directory, "bin", "initdb")) && File.Exists(Path.Combine(d.Directory, "bin", "pg_ctl")))
            .OrderByDescending(d => d.Version)
            .Select(d => Path.Combine(d.Directory, "bin"))
            .FirstOrDefault();
    }

    /// <summary>Why a private server cannot run here, or null when it can.</summary>
    public static string? Unavailable()
    {
        if (!OperatingSystem.IsLinux())
            return "the private PostgreSQL runs on Linux only";
        if (!Environment.IsPrivilegedProcess)
            return "the private PostgreSQL needs root (it runs the server as the postgres account)";
        if (FindBinaries() is null)
            return "PostgreSQL is not installed: no /usr/lib/postgresql/*/bin/initdb (./iotsync test installs postgresql)";
        if (ProcessRunner.Find("runuser") is null)
            return "runuser not found (util-linux)";
        if (!File.ReadLines("/etc/passwd").Any(l => l.StartsWith(Account + ":", StringComparison.Ordinal)))
            return "there is no postgres account (the postgresql package makes it)";
        return null;
    }

    /// <summary>
    /// The rule for specs that need a server: null when it can run; the reason to report them skipped where
    /// it cannot — except in CI (<c>CI=true</c>) as root, where <c>./iotsync test</c> installed postgresql, so a
    /// missing server throws and the spec fails: CI cannot go green without them.
    /// </summary>
    public static string? SkipReason()
    {
        var reason = Unavailable();
        if (reason is not null && string.Equals(Environment.GetEnvironmentVariable("CI")?.Trim(), "true", StringComparison.OrdinalIgnoreCase)
                               && Environment.IsPrivilegedProcess)
            throw new InvalidOperationException($"CI=true and running as root, so the private PostgreSQL must run, but: {reason}");
        return reason;
    }

    /// <summary>Initialises and starts a server; throws with initdb's or the server's words when it cannot.</summary>
    public static async Task<PrivatePostgres> Start()
    {
        var binaries = FindBinaries() ?? throw new InvalidOperationException(Unavailable() ?? "PostgreSQL is not installed");
        var directory = System.IO.Directory.CreateTempSubdirectory("iotsync-pg-").FullName;
        try
        {
            await Tool(["chown", $"{Account}:{Account}", directory]);
            await AsAccount(directory, [Path.Combine(binaries, "initdb"), "-D", Path.Combine(directory, "data"), "-A", "trust", "-U", Superuser, "--no-sync", "-E", "UTF8", "--locale=C"]);
            for (var attempt = 1; ; attempt++)
            {
                var port = PrivateSshd.FreePort();
                var server = new PrivatePostgres(directory, binaries, port);
                var run = await ProcessRunner.Run(AsAccountArgv([Path.Combine(binaries, "pg_ctl"), "-D", server.DataDirectory, "-l", server.LogFile, "-w", "-t", "60",
                    "-o", $"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off", "start"]), ToolTimeout, workingDirectory: directory);
                if (run.Succeeded)
                    return server;
                // Another process took the port between the probe and the bind: try another.
                if (attempt < 3 && server.Log.Contains("could not bind", StringComparison.Ordinal))
                    continue;
                throw new InvalidOperationException($"PostgreSQL did not start: {run.Stderr.Trim()} {run.Stdout.Trim()}\n{server.Log}");
            }
        }
        catch
        {
            DeleteQuietly(directory);
            throw;
        }
    }

    /// <summary>A connection string to <paramref name="database"/> as the superuser over TCP on 127.0.0.1.</summary>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Database = database,
        Username = Superuser,
    }.ConnectionString;

    /// <summary>A fresh, empty database on this server for one test; dropped when it is disposed.</summary>
    public async Task<PostgresTestDatabase> CreateDatabase()
    {
        var name = "t_" + Guid.NewGuid().ToString("N");
        await Execute($"CREATE DATABASE {name}");
        return new PostgresTestDatabase(this, name);
    }

    /// <summary>Runs one statement on the server's maintenance database (postgres).</summary>
    public async Task Execute(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString("postgres")) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        NpgsqlConnection.ClearAllPools();
        try
        {
            await ProcessRunner.Run(AsAccountArgv([Path.Combine(Binaries, "pg_ctl"), "-D", DataDirectory, "-m", "immediate", "-w", "stop"]), ToolTimeout,
                workingDirectory: Directory);
        }
        catch (TimeoutException)
        {
            // The directory goes anyway; a server left behind has lost its files and its port is the OS's again at its end.
        }
        DeleteQuietly(Directory);
    }

    /// <summary>Runs <paramref name="argv"/> as the postgres account, in <paramref name="directory"/> (the account may not enter the caller's).</summary>
    private static async Task AsAccount(string directory, IReadOnlyList<string> argv) =>
        (await ProcessRunner.Run(AsAccountArgv(argv), ToolTimeout, workingDirectory: directory)).EnsureSuccess();

    private static IReadOnlyList<string> AsAccountArgv(IReadOnlyList<string> argv) => [ProcessRunner.Find("runuser") ?? "runuser", "-u", Account, "--", .. argv];

    private static async Task Tool(IReadOnlyList<string> argv) =>
        (await ProcessRunner.Run([ProcessRunner.Find(argv[0]) ?? argv[0], .. argv.Skip(1)], ToolTimeout)).EnsureSuccess();

    private static void DeleteQuietly(string directory)
    {
        try
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the OS's temp cleaning.
        }
    }
}
