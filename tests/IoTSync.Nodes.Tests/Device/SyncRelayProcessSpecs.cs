using System.Net.Sockets;
using IoTSync.Testing.Processes;
using IoTSync.Testing.Rig;
using Xunit;

namespace IoTSync.Tests.Device;

/// <summary>
/// The relay sshd forces for the mirror's key, as a real process against a listening socket: a
/// session whose input is empty from the start (a client that connects and closes at once) ends
/// with exit 0, never with an abort (issue 11, fault 9: SIGABRT in about 40 % of such runs).
/// </summary>
public sealed class SyncRelayProcessSpecs : IAsyncDisposable
{
    private const int Runs = 30;
    private readonly string _directory = Directory.CreateTempSubdirectory("iotsync-relay-").FullName;
    private readonly CancellationTokenSource _stop = new();

    [Fact]
    public async Task Should_end_every_session_with_an_empty_input_cleanly()
    {
        var socket = Path.Combine(_directory, "device.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socket));
        listener.Listen(Runs);
        var serving = Serve(listener, _stop.Token);
        var (file, arguments) = NodeBinaries.Locate().SyncEndpoint(socket, TimeSpan.FromSeconds(10));

        var runs = new List<CliRun>();
        for (var i = 0; i < Runs; i++)
            runs.Add(await ProcessRunner.Run([file, .. arguments], TimeSpan.FromSeconds(20), input: ""));

        var failed = runs.Where(r => r.ExitCode != 0 || r.Stderr.Length > 0).ToList();
        Assert.True(failed.Count == 0, $"{failed.Count} of {Runs} runs did not end cleanly; the first: {failed.FirstOrDefault()}");
        await _stop.CancelAsync();
        await serving;
    }

    /// <summary>A node that takes each session and reads it to its end.</summary>
    private static async Task Serve(Socket listener, CancellationToken stop)
    {
        var sessions = new List<Task>();
        try
        {
            while (true)
            {
                var session = await listener.AcceptAsync(stop);
                sessions.Add(Task.Run(async () =>
                {
                    using (session)
                    {
                        var buffer = new byte[1024];
                        while (await session.ReceiveAsync(buffer, SocketFlags.None, stop) > 0)
                        {
                        }
                    }
                }, stop));
            }
        }
        catch (OperationCanceledException)
        {
            // The spec is over.
        }
        await Task.WhenAll(sessions.Select(s => s.ContinueWith(_ => { }, TaskScheduler.Default)));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _stop.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
