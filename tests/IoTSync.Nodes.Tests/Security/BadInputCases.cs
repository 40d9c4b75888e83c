using System.Net.Security;
using System.Text;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using IoTSync.Control;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.MirrorApi.Client;
using IoTSync.MirrorApi.Resources;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Security;
using Xunit;
using static IoTSync.Tests.Security.BadInputPair;

namespace IoTSync.Tests.Security;

/// <summary>The bad-input suite's cases, in the order of issue 12's list, each a <see cref="BadInputCase"/>.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public static class BadInputCases
{
    private static readonly TimeSpan Unanswered = TimeSpan.FromSeconds(1);
    private static readonly string Listener = $"/user/{HeartbeatListener.Name}";

    public static IReadOnlyList<BadInputCase> All { get; } =
    [
        // A message by direct actor reference to each path but the listener's, and one the listener does not take.
        DirectReference("direct-ref-registry", "/user/registry", DeviceRegistryMessages.ListDevices.Instance),
        DirectReference("direct-ref-journals", "/user/devices",
            new StateJournalMessages.SubmitCommand(new DeviceId("demo-device"), ["rm", "-rf", "/"], "attacker", null)),
        DirectReference("direct-ref-journal-of-a-device", "/user/devices/state-journal-demo-device",
            new StateJournalMessages.MarkDiverged(new DeviceId("demo-device"), Origin.Device, Verdict.Fork, 1, "attacker")),
        DirectReference("direct-ref-replicator", "/user/replicator", LogHolderMessages.GetView.Instance),
        DirectReference("direct-ref-late-watch", "/user/late-watch", new StateJournalMessages.GetJournalState(new DeviceId("demo-device"))),
        DirectReference("direct-ref-system-actor", "/system/remote-watcher", DeviceRegistryMessages.ListDevices.Instance),
        DirectReference("listener-not-a-heartbeat", Listener, DeviceRegistryMessages.ListDevices.Instance),

        // Mutual TLS.
        // Akka.NET's TLS handler refuses a client without a certificate before the fleet validator is called: no line, no count of ours.
        new("tls-no-certificate", "a TLS connection with no client certificate to the heartbeat port, then bytes",
            "the handshake is not completed by the mirror; nothing is read or answered (no log line: the refusal happens inside Akka.NET's TLS handler)",
            BadInputNode.Mirror, null, null, pair => RawTls(pair, certificate: null, [16, 0, 0, 0, .. new byte[16]])),
        new("tls-other-ca", "an association with a device certificate from another CA",
            "the handshake fails: the chain does not end at the fleet CA", BadInputNode.Mirror, Refusals.TlsRefused,
            "TLS peer .* refused: .* does not chain to the fleet CA", pair =>
            {
                using var otherCa = FleetCa.Create(TimeSpan.FromDays(30), DateTimeOffset.UtcNow);
                return TlsPeer(pair, pair.Fleet.Device(pair.Device, ca: otherCa));
            }),
        new("tls-device-not-enrolled", "an association with a fleet certificate naming a device that is not enrolled",
            "the handshake fails: the device is not admitted", BadInputNode.Mirror, Refusals.TlsRefused,
            "TLS peer .* refused: device dev-stranger is not enrolled", pair => TlsPeer(pair, pair.Fleet.Device(new DeviceId("dev-stranger")))),
        new("tls-expired-certificate", "an association with an enrolled device's certificate that has expired",
            "the handshake fails: the chain is not valid now", BadInputNode.Mirror, Refusals.TlsRefused,
            "TLS peer .* refused: .* does not chain to the fleet CA", async pair =>
            {
                var expired = pair.Fleet.Device(pair.Device, issuedAt: DateTimeOffset.UtcNow, validity: TimeSpan.FromSeconds(1));
                await Polling.Until(() => Task.FromResult(expired.NotAfter.ToUniversalTime() < DateTime.UtcNow.AddSeconds(-1)), Deadline, "the certificate expired");
                await TlsPeer(pair, expired);
            }),
        new("tls-disabled-device", "an association with a disabled device's certificate",
            "the handshake fails: the device is disabled", BadInputNode.Mirror, Refusals.TlsRefused,
            $"TLS peer .* refused: device {Disabled} is disabled", pair => TlsPeer(pair, pair.Fleet.Device(Disabled))),

        // Heartbeats.
        new("heartbeat-forged-mac", "a heartbeat of an enrolled device signed with a key of the attacker's",
            "dropped unanswered: the MAC does not verify", BadInputNode.Mirror, Refusals.HeartbeatBadMac,
            $@"\[{Batches}\] heartbeat refused: bad MAC", pair => Unanswerable(pair, pair.AsFake, pair.Beat(Batches, key: new byte[32]))),
        new("heartbeat-replayed", "a heartbeat the mirror answered, sent again",
            "dropped unanswered: its nonce was seen", BadInputNode.Mirror, Refusals.HeartbeatReplayed,
            $@"\[{Batches}\] heartbeat refused: Replayed", async pair =>
            {
                var heartbeat = pair.Beat(Batches);
                var probe = pair.AsFake.NewProbe();
                var listener = pair.AsFake.Resolve(pair.MirrorEdge, Listener);
                listener.Tell(heartbeat, probe.Ref);
                await probe.ExpectMsgAsync<HeartbeatAck>(Deadline);
                await Unanswerable(pair, pair.AsFake, heartbeat);
            }),
        new("heartbeat-stale", "a correctly signed heartbeat sent ten minutes ago",
            "answered only with the mirror's time (action Refused, clock-skew); nothing recorded", BadInputNode.Mirror, Refusals.HeartbeatStale,
            $@"\[{Batches}\] heartbeat sent at \d+, mirror time \d+: outside the time window", async pair =>
            {
                var probe = pair.AsFake.NewProbe();
                pair.AsFake.Resolve(pair.MirrorEdge, Listener).Tell(pair.Beat(Batches, sentAtUnixMs: DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds()), probe.Ref);
                var ack = await probe.ExpectMsgAsync<HeartbeatAck>(Deadline);
                Assert.Equal(HeartbeatAction.Refused, ack.Action);
                Assert.Equal(HeartbeatAck.ClockSkew, ack.Reason);
            }),
        new("heartbeat-flood", "200 correctly signed heartbeats of one device at once",
            "the first burst answered, the rest dropped unanswered over the rate limit", BadInputNode.Mirror, Refusals.HeartbeatRate,
            $@"\[{Flooded}\] heartbeat over the rate limit", async pair =>
            {
                var probe = pair.AsFake.NewProbe();
                var listener = pair.AsFake.Resolve(pair.MirrorEdge, Listener);
                for (var i = 0; i < 200; i++)
                    listener.Tell(pair.Beat(Flooded), probe.Ref);
                var answered = 0;
                await foreach (var _ in probe.ReceiveWhileAsync(TimeSpan.FromSeconds(3), m => m as HeartbeatAck, 200))
                    answered++;
                Assert.InRange(answered, 1, 100);
            }),
        new("heartbeat-unknown-device", "a heartbeat naming a device that is not enrolled",
            "dropped unanswered: the device is not enrolled", BadInputNode.Mirror, Refusals.DeviceUnknown,
            @"\[dev-nobody\] heartbeat refused: the device is not enrolled",
            pair => Unanswerable(pair, pair.AsFake, pair.Beat(new DeviceId("dev-nobody"), key: new byte[32]))),
        new("heartbeat-disabled-device", "a disabled device's heartbeat signed with its own key",
            "dropped unanswered: the device is disabled", BadInputNode.Mirror, Refusals.DeviceDisabled,
            $@"\[{Disabled}\] heartbeat refused: the device is disabled", pair => Unanswerable(pair, pair.AsFake, pair.Beat(Disabled))),
        new("device-a-credentials-for-b", "device A's certificate and heartbeat key, in a heartbeat naming device B",
            "dropped unanswered: B's key does not verify A's MAC", BadInputNode.Mirror, Refusals.HeartbeatBadMac,
            $@"\[{Batches}\] heartbeat refused: bad MAC", pair => Unanswerable(pair, pair.AsDevice, pair.Beat(Batches, key: pair.DeviceKey))),

        // Akka.Remote frames.
        new("akka-json-serializer-canary", "frames naming Akka's JSON serializer (id 1) and CLR types of the attacker's choosing (a canary, a FileSystemWatcher on a directory), to the listener",
            "not deserialized: no such serializer on the node, so nothing is constructed (no inotify watch on the directory in the mirror process); the association stays, nothing answered",
            BadInputNode.Mirror, Refusals.FrameMalformed, @"Deserialization failed for message with serializer id \[1\]", async pair =>
            {
                var watched = Directory.CreateDirectory(Path.Combine(pair.Rig.Directory, "canary-dir")).FullName;
                using (var watcher = new FileSystemWatcher(watched))
                {
                    var probe = pair.AsFake.NewProbe();
                    var listener = pair.AsFake.Resolve(pair.MirrorEdge, Listener);
                    var mark = pair.Deployment.Mirror!.Output.Length;
                    listener.Tell(new Canary(), probe.Ref);
                    listener.Tell(watcher, probe.Ref);
                    await probe.ExpectNoMsgAsync(Unanswered);
                    // Both frames reached the mirror (the attacker's JSON serializer wrote them) and both were refused there.
                    await Polling.Until(() => Task.FromResult(System.Text.RegularExpressions.Regex.Matches(pair.Deployment.Mirror.Output[mark..],
                        @"Deserialization failed for message with serializer id \[1\]").Count >= 2), Deadline, "both frames refused at the mirror");
                }
                Assert.False(await InotifyWatches(pair.Deployment.Mirror!.Id, watched), "the mirror process watches the canary directory: it built the FileSystemWatcher");
                // The control: a FileSystemWatcher built and started here is seen by the same check.
                using var built = new FileSystemWatcher(watched) { EnableRaisingEvents = true };
                Assert.True(await InotifyWatches(Environment.ProcessId, watched), "the inotify check does not see a watcher this process built");
            }),
        new("akka-frame-oversized", "a length field of 2 GB on a TLS connection with a valid device certificate",
            "the frame decoder refuses it and closes the connection", BadInputNode.Mirror, Refusals.FrameMalformed,
            "TooLongFrameException", pair => RawTls(pair, pair.Fleet.Device(Batches), [0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4])),
        new("akka-frame-malformed", "a well-sized frame of bytes that are no Akka PDU, on a TLS connection with a valid device certificate",
            "the PDU decoder refuses it and drops the connection", BadInputNode.Mirror, Refusals.FrameMalformed,
            "InvalidProtocolBufferException|Failed to deserialize|Transient association error",
            pair => RawTls(pair, pair.Fleet.Device(Batches), [16, 0, 0, 0, .. "\u00ff\u00fenot a pdu at all"u8.ToArray()[..16]])),

        // The SSH channel, through the real sshd and relay, inside one of the device's windows.
        SshChannel("ssh-channel-malformed-frame", "a frame whose manifest length exceeds the frame", "\0\0\0\u0008\u0020abcdefg", "manifest length", endInput: false),
        SshChannel("ssh-channel-truncated-frame", "a frame header announcing 64 bytes, 10 sent, then end of input", "\0\0\0\u0040\u0005hello1234", "stream ended inside a frame",
            endInput: true),
        SshChannel("ssh-channel-oversized-frame", "a frame header announcing about 2 GB", "\u007f\u007f\u007f\u007fxxxx", "is outside 2\\.\\.16777216", endInput: false),

        // Batches from a compromised device, through the mirror's own SSH session to it.
        Batch("batch-gap", "a pull answered from entry 2 (entry 1 left out)", Batches, Verdict.Gap, Refusals.BatchGap,
            log => (log.Position, [log[2], log[3]])),
        Batch("batch-bad-hash", "a pull whose entry 1 was changed after hashing", Batches, Verdict.BadHash, Refusals.BatchBadHash,
            log => (log.Position, [log[1] with { Issuer = "mallory" }, log[2], log[3]])),
        Batch("batch-bad-link", "a pull whose entry 2 is hashed but linked to another entry", Batches, Verdict.BadLink, Refusals.BatchBadLink,
            log => (log.Position, [log[1], Rehash(log[2] with { PreviousHash = Sha256Hash.Of("elsewhere"u8) }), log[3]])),
        Batch("batch-fork", "a hello claiming another log of the length the mirror holds", Forked, Verdict.Fork, Refusals.BatchFork,
            _ => (new TestLog(Forked, Origin.Device, startWallMs: 1_800_000_000_000).Commands(2).Position, [])),
        Batch("shorter-log", "a hello claiming 1 entry of a log the mirror holds 3 of", Shrunk, Verdict.LogShrank, Refusals.ShorterLog,
            _ => (new TestLog(Shrunk, Origin.Device).Commands(3).PositionAt(1), [])),

        // SSH.
        MirrorSession("ssh-wrong-host-key", "a device's sshd whose host key is not the pinned one (a man in the middle)", WrongHostKey,
            "the mirror ends the session at key exchange, before authenticating or sending anything", Refusals.HostKeyMismatch, "HostKeyMismatchException"),
        MirrorSession("ssh-device-refuses-mirror-key", "a device's sshd that refuses the mirror's key (an SSH account it does not admit)", WrongUser,
            "the session fails at authentication; nothing exchanged", Refusals.SshAuth, "SshAuthenticationFailedException"),
        new("ssh-foreign-key", "an SSH login to the device's sshd with a key of the attacker's",
            "sshd refuses the key: permission denied, nothing runs", BadInputNode.Sshd, null,
            "Failed publickey|Connection closed by authenticating user|key not found", async pair =>
            {
                var key = Path.Combine(pair.Rig.Directory, "foreign_key");
                if (!File.Exists(key))
                    (await ProcessRunner.Run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key])).EnsureSuccess("ssh-keygen");
                var run = await pair.Ssh([], "id", key: key, endInput: true);
                Assert.Equal(255, run.ExitCode);
                Assert.Contains("Permission denied", run.Stderr);
            }),
        OutsideWindow("ssh-mirror-key-shell", "the mirror's key asking for a shell (no command)", [], null),
        // With -tt the client may end before the relay's answer reaches it: the refusal is judged by the node's log and counter.
        OutsideWindow("ssh-mirror-key-pty", "the mirror's key asking for a pty", ["-tt"], null, run => Assert.Contains("PTY allocation request failed", run.Stderr),
            answerSeen: false),
        new("ssh-mirror-key-forward", "the mirror's key asking for a remote port forward",
            "sshd refuses the forward (DisableForwarding) and logs nothing at its level; the client gives up", BadInputNode.Sshd, null,
            null, async pair =>
            {
                var run = await pair.Ssh(["-N", "-o", "ExitOnForwardFailure=yes", "-R", "0:127.0.0.1:9"], endInput: true);
                Assert.NotEqual(0, run.ExitCode);
                Assert.Contains("forwarding failed", run.Stderr);
            }),
        OutsideWindow("ssh-metacharacters-in-command", "the mirror's key with SSH_ORIGINAL_COMMAND 'touch FILE; echo pwned $(id)'",
            ["-T"], "touch {0}; echo pwned $(id)", run => Assert.DoesNotContain("pwned", run.Stdout)),

        // Commands and control.
        new("command-outside-allow-list", "a mirror command whose program is not in the device's allow-list (rm FILE)",
            "the device records it refused, never runs it; the file stays", BadInputNode.Device, Refusals.CommandNotAllowed,
            @"result of m\d+: Refused, exit -1, \d+ ms \('rm' is not in the device's allow-list\)", async pair =>
            {
                var victim = Path.Combine(pair.Rig.Directory, "victim");
                await File.WriteAllTextAsync(victim, "still here");
                var sequence = await pair.Rig.LeaveAtMirror(["rm", "-f", victim]);
                var result = await pair.Rig.AwaitResult(sequence);
                Assert.Equal("refused", result.GetProperty("outcome").GetString());
                Assert.True(File.Exists(victim));
            }) { RecordedInTheLogs = true },
        new("command-for-a-disabled-device", "a command left for a disabled device",
            "the mirror's API refuses it with 409; nothing stored", BadInputNode.Mirror, Refusals.DeviceDisabled,
            $@"\[{Disabled}\] command from cli:\S+ refused: the device is disabled", async pair =>
            {
                using var api = MirrorApiClient.ForSocket(pair.Deployment.MirrorSocket);
                var refused = await Record.ExceptionAsync(() => api.Submit(Disabled.Value, new SubmitCommandRequest(["echo", "x"])));
                Assert.Equal(System.Net.HttpStatusCode.Conflict, Assert.IsType<MirrorApiException>(refused).StatusCode);
                Assert.Contains("disabled", refused.Message);
            }) { Watched = Disabled },
        new("mirror-api-malformed", "a body that is not JSON, on the mirror's API (control socket, local)",
            "answered 400 with a problem document; nothing stored", BadInputNode.Mirror, Refusals.ControlMalformed,
            "malformed request on the mirror's API", async pair =>
            {
                using var http = MirrorApiClient.RawSocketClient(pair.Deployment.MirrorSocket);
                using var answer = await http.PostAsync($"api/v1/devices/{pair.Device}/commands",
                    new StringContent("{\"argv\": [\"echo\", ", Encoding.UTF8, "application/json"));
                Assert.Equal(System.Net.HttpStatusCode.BadRequest, answer.StatusCode);
                Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
            }),
        ControlSocket("device-control-malformed", BadInputNode.Device, "malformed request on the control socket"),
    ];

    public static BadInputCase Named(string name) => All.Single(c => c.Name == name);

    private static LogEntry Rehash(LogEntry entry) => entry with { Hash = entry.ComputeHash() };

    private static BadInputCase DirectReference(string name, string path, object message) =>
        new(name, $"{message.GetType().Name} by direct reference to {path} over a mutual-TLS association with a valid device certificate",
            "no actor there in the edge (or not a message it takes): dropped, nothing answered", BadInputNode.Mirror, Refusals.RemoteMessageDropped,
            $@"remote message {message.GetType().Name} to \S*{System.Text.RegularExpressions.Regex.Escape(path)} dropped",
            pair => Unanswerable(pair, pair.AsDevice, message, path));

    private static BadInputCase SshChannel(string name, string sent, string input, string reason, bool endInput) =>
        new(name, $"the mirror's key, inside a window, then {sent} on the SSH channel (real sshd and relay)",
            "the device's exchange refuses the frame, answers a refusal and ends the session; nothing applied", BadInputNode.Device, Refusals.FrameMalformed,
            $"sync session refused a malformed frame: .*{reason}", async pair =>
            {
                var run = await pair.InsideAWindow(() => pair.Ssh(["-T"], input: input, endInput: endInput));
                // With its input ended the relay ends the session at once: the refusal may not reach the attacker, only the end.
                if (!endInput)
                    Assert.Contains("malformed frame", run.Stdout);
            });

    private static BadInputCase Batch(string name, string sent, DeviceId device, Verdict verdict, string counter,
        Func<TestLog, (LogPosition Claimed, IReadOnlyList<LogEntry> Pulled)> spoil) =>
        new(name, $"a compromised device ({device}) answering the mirror's SSH session with {sent}",
            $"the mirror refuses it ({verdict}), stores nothing{(verdict is Verdict.Fork or Verdict.LogShrank ? " and marks the device diverged" : "")}",
            BadInputNode.Mirror, counter, $@"\[{device}\] session \w+ done in \d+ ms: .*RefusedByMirror", async pair =>
            {
                var (claimed, pulled) = spoil(new TestLog(device, Origin.Device).Commands(3));
                pair.Fake.Script(device, Answering(claimed, pulled));
                Assert.Equal(HeartbeatAction.Sync, (await pair.Heartbeat(pair.AsFake, device, deviceLog: claimed)).Action);
                await Polling.Until(() => Task.FromResult(pair.Fake.LastFromMirror(device) is Refused refused && refused.Verdict == verdict), Deadline,
                    $"the mirror's refusal ({verdict}) at the fake device");
            }) { Watched = device };

    private static BadInputCase MirrorSession(string name, string sent, DeviceId device, string refusal, string counter, string error) =>
        new(name, sent, refusal, BadInputNode.Mirror, counter, $@"\[{device}\] session \w+ failed after \d+ ms: {error}", async pair =>
        {
            pair.Fake.Script(device, Answering(new TestLog(device, Origin.Device).Commands(1).Position, []));
            var claimed = new TestLog(device, Origin.Device).Commands(1).Position;
            Assert.Equal(HeartbeatAction.Sync, (await pair.Heartbeat(pair.AsFake, device, deviceLog: claimed)).Action);
            await pair.Deployment.Mirror!.WaitForOutput(new System.Text.RegularExpressions.Regex($@"\[{device}\] session \w+ failed"), Deadline);
            Assert.Null(pair.Fake.LastFromMirror(device));
        }) { Watched = device };

    private static BadInputCase OutsideWindow(string name, string sent, string[] options, string? command, Action<CliRun>? check = null, bool answerSeen = true) =>
        new(name, $"{sent}, between windows (real sshd)",
            "sshd forces the relay whatever was asked; the node refuses the session: no window is open", BadInputNode.Device, Refusals.RelayOutsideWindow,
            @"sync session refused: no window is open", async pair =>
            {
                var file = Path.Combine(pair.Rig.Directory, $"{name}.ran");
                await pair.AwaitDark();
                var run = await pair.Ssh(options, command is null ? null : string.Format(System.Globalization.CultureInfo.InvariantCulture, command, file));
                if (answerSeen)
                    Assert.Contains("no window is open", run.Stdout);
                Assert.False(File.Exists(file));
                check?.Invoke(run);
            });

    private static BadInputCase ControlSocket(string name, BadInputNode node, string reason) =>
        new(name, $"a frame that does not decode, on the {node.ToString().ToLowerInvariant()} node's control socket (local)",
            "answered with an error; nothing done", node, Refusals.ControlMalformed, reason, async pair =>
            {
                var socket = node == BadInputNode.Mirror ? pair.Deployment.MirrorSocket : pair.Deployment.DeviceSocket;
                await using var stream = await ControlConnection.Connect(socket, "node", CancellationToken.None);
                await stream.WriteAsync("\0\0\0\u0006\u0004junkxx"u8.ToArray());
                var answer = await FrameCodec.Read<ControlMessage>(stream, ControlConnection.MaxReplyBytes, CancellationToken.None);
                Assert.Contains("malformed request", Assert.IsType<ControlError>(answer).Message);
            });

    /// <summary>Whether process <paramref name="pid"/> holds an inotify watch on <paramref name="directory"/> (by its inode, from /proc/PID/fdinfo).</summary>
    private static async Task<bool> InotifyWatches(int pid, string directory)
    {
        var stat = (await ProcessRunner.Run(["stat", "-c", "%i", directory])).EnsureSuccess("stat");
        var inode = ulong.Parse(stat.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        return Directory.GetFiles($"/proc/{pid}/fdinfo").Any(info =>
        {
            try
            {
                return File.ReadLines(info).Any(l => l.StartsWith("inotify ", StringComparison.Ordinal) && l.Contains($" ino:{inode} ", StringComparison.Ordinal));
            }
            catch (IOException)
            {
                return false;
            }
        });
    }

    /// <summary>Sends <paramref name="message"/> to <paramref name="path"/> (the listener's by default) and asserts nothing comes back.</summary>
    private static async Task Unanswerable(BadInputPair pair, Attacker attacker, object message, string? path = null)
    {
        var probe = attacker.NewProbe();
        // The association may still be forming: the refusal itself is awaited in the node's log by the suite.
        attacker.Resolve(pair.MirrorEdge, path ?? Listener).Tell(message, probe.Ref);
        await probe.ExpectNoMsgAsync(Unanswered);
    }

    /// <summary>A peer of its own over TLS with <paramref name="certificate"/>: its heartbeat gets no answer.</summary>
    private static async Task TlsPeer(BadInputPair pair, X509Certificate2 certificate)
    {
        await using var peer = new Attacker("tls-peer", certificate);
        var probe = peer.NewProbe();
        peer.Resolve(pair.MirrorEdge, Listener).Tell(pair.Beat(pair.Device), probe.Ref);
        try
        {
            await probe.ExpectNoMsgAsync(Unanswered);
        }
        catch (Exception) when (peer.Terminated)
        {
            // Akka.NET ends a system whose outbound TLS handshake failed: nothing came back either way.
        }
    }

    /// <summary>A raw TLS connection to the heartbeat port (a client certificate when given) writing <paramref name="bytes"/>: nothing comes back.</summary>
    private static async Task RawTls(BadInputPair pair, X509Certificate2? certificate, byte[] bytes)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", pair.Deployment.MirrorPort);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        var received = 0;
        var ended = await Record.ExceptionAsync(async () =>
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "mirror", ClientCertificates = certificate is null ? null : new X509CertificateCollection { certificate },
            });
            await tls.WriteAsync(bytes);
            await tls.FlushAsync();
            var buffer = new byte[1024];
            int read;
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            while ((read = await tls.ReadAsync(buffer, bound.Token)) > 0)
                received += read;
        });
        Assert.True(ended is null or IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException, ended?.ToString());
        Assert.Equal(0, received);
    }
}
