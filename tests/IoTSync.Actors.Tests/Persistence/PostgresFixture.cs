using Xunit;

namespace IoTSync.Tests.Persistence;

/// <summary>
/// One <see cref="PrivatePostgres"/> for the specs of a class (a class fixture), started only when one of
/// them asks for a database; none where it cannot run, and those specs report themselves skipped with the
/// reason (failed in CI as root: <see cref="PrivatePostgres.SkipReason"/>).
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _starting = new(1, 1);
    private PrivatePostgres? _server;

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>A fresh database on the server, or the calling spec skipped when there can be no server here.</summary>
    public async Task<PostgresTestDatabase> CreateDatabase()
    {
        var reason = PrivatePostgres.SkipReason();
        Skip.If(reason is not null, reason);
        await _starting.WaitAsync();
        try
        {
            _server ??= await PrivatePostgres.Start();
        }
        finally
        {
            _starting.Release();
        }
        return await _server.CreateDatabase();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
        _starting.Dispose();
    }
}
