namespace IoTSync.Testing.Processes;

/// <summary>Runs the sqlite3 command-line tool, as someone reading or tampering with a copy of a journal would.</summary>
public static class Sqlite3
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs <paramref name="sql"/> on <paramref name="database"/> and returns what it printed, trimmed; a failure throws with its stderr.</summary>
    public static string Run(string database, string sql, bool readOnly = false)
    {
        var run = ProcessRunner.Run(["sqlite3", .. readOnly ? new[] { "-readonly" } : [], database, sql], Timeout).GetAwaiter().GetResult();
        if (!run.Succeeded)
            throw new InvalidOperationException($"sqlite3 failed on {sql}: {run.Stderr}");
        return run.Stdout.Trim();
    }
}
