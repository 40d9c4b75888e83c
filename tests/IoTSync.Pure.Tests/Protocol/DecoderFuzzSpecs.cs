using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using IoTSync.Device;
using IoTSync.Protocol;
using IoTSync.Mirror;
using IoTSync.Serialization;
using IoTSync.Testing.Serialization;
using IoTSync.Testing.Fuzzing;
using Xunit;

namespace IoTSync.Tests.Protocol;

/// <summary>
/// A bounded fuzz run of the four decoders that read someone else's bytes: mutated valid encodings
/// and noise from a fixed seed, a few thousand inputs or about a second per decoder. Each input
/// must be accepted or refused with the decoder's own error type, within a time bound and without
/// allocating far beyond its own size. <c>./iotsync fuzz</c> runs the same targets coverage-guided.
/// </summary>
public sealed class DecoderFuzzSpecs
{
    private const int Seed = 20261129;
    private const int MaxInputs = 20_000;
    private const int MinInputs = 1_000;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxCall = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public static TheoryData<string> Targets() => [.. DecoderTargets.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Should_refuse_mutated_input_only_with_the_decoders_own_error(string name)
    {
        var target = DecoderTargets.Named(name);
        var mutator = new Mutator(Seed);
        var findings = new List<string>();
        var inputs = 0;
        var current = Array.Empty<byte>();
        var clock = Stopwatch.StartNew();

        // On a worker with a deadline: a decoder that hangs fails the spec instead of the run.
        var run = Task.Run(() =>
        {
            // At least MinInputs whatever the machine's load (a loaded machine once ran none within the budget), then as many as the budget allows.
            while (inputs < MaxInputs && (inputs < MinInputs || clock.Elapsed < Budget))
            {
                current = mutator.Next(target);
                inputs++;
                var finding = Check(target, current);
                if (finding is not null && findings.Count < 10)
                    findings.Add(finding);
            }
        });

        Assert.True(await Task.WhenAny(run, Task.Delay(Deadline)) == run, $"{name}: no answer within {Deadline} for input {Convert.ToBase64String(current)}");
        await run;
        Assert.True(inputs > 100, $"{name}: only {inputs} inputs ran");
        Assert.True(findings.Count == 0, $"{name}: {findings.Count} findings in {inputs} inputs:\n{string.Join("\n", findings)}");
    }

    /// <summary>Inputs that once leaked another exception or allocated what a header claimed, and other known-hostile shapes.</summary>
    public static TheoryData<string, string, byte[]> Regressions() => new()
    {
        // Found by this spec: a null argument reached the entry hash as an ArgumentNullException.
        { "entry", "null argv element", Convert.FromBase64String(NullArgvEntry) },
        { "entry", "origin without a name", Entry("\"origin\":2", "\"origin\":3") },
        { "entry", "kind zero", Entry("\"kind\":1", "\"kind\":0") },
        { "entry", "argv nested 100,000 deep", Entry("\"argv\":[", "\"argv\":[" + new string('[', 100_000)) },
        { "entry", "sequence beyond long", Entry("\"sequence\":1", "\"sequence\":99999999999999999999999") },
        { "entry", "invalid UTF-8 issuer", Entry("\"issuer\":\"app\"", "\"issuer\":\"\xC3(\"") },
        // Found by this spec: a header claiming 16 MiB made the decoder allocate 16 MiB before a byte of the body arrived.
        { "frame", "header claiming the bound, then 4 bytes", [0x01, 0x00, 0x00, 0x00, 5, (byte)'h', (byte)'e', (byte)'l', (byte)'l'] },
        { "frame", "header claiming 2 GB", [0x7F, 0xFF, 0xFF, 0xFF, 5, (byte)'h'] },
        { "frame", "negative length", [0xFF, 0xFF, 0xFF, 0xFE, 5] },
        { "frame", "push with a null entry", Framed(new PushEntries([]), "[]", "[null]") },
        { "control", "header claiming 2 GB", [0x7F, 0xFF, 0xFF, 0xFF] },
        { "control", "exec with a null argument", Framed(new ExecRequest(["ls"], "operator"), "\"ls\"", "null") },
        { "heartbeat", "nesting where the device id goes", Heartbeat("\"device\":\"dev-s\"", "\"device\":" + new string('{', 5000)) },
        { "heartbeat", "huge sent-at", Heartbeat("\"sentAtUnixMs\":1700000000000", "\"sentAtUnixMs\":1e400") },
    };

    private const string NullArgvEntry =
        "eyJlbnRyeSI6eyJzZXF1ZW5jZSI6Miwib3JpZ2luIjoxLCJraW5kIjoxLCJ0aW1lc3RhbXAiOnsid2FsbE1zIjoxNzAwMDAwMDAwMDAzLCJjb3VudGVyIjowfSwiaXNzdWVyIjoiZGV2aWNlIiwiYXJndiI6WyJzZXQiLG51bGwsIlx1MDEzMCJdLCJub3RBZnRlclVuaXhNcyI6bnVsbCwidGFyZ2V0IjpudWxsLCJyZXN1bHQiOm51bGwsInByZXZpb3VzSGFzaCI6ImNjOGQyZjA1YjBlZmQ5M2EwZmIzYTI2NGViNjI3ZmZmMGM5YWZiM2FlNjgwMTA1YWViZDQxMTg3NmU5YzhjMzkiLCJoYXNoIjoiMzIwZjA3NzI0YmE4YTM2YjZiNmU0MWJiNDY3ZGMzOGVlYTU5NTFmMjQ5MmYxMjIwOTc1ZTU4MGUzODk5NzM5YyJ9fQ==";

    [Theory]
    [MemberData(nameof(Regressions))]
    public void Should_refuse_known_hostile_input_with_the_decoders_own_error(string name, string @case, byte[] input)
    {
        var target = DecoderTargets.Named(name);

        Assert.True(Check(target, input) is null, $"{name}, {@case}: {Check(target, input)}");
        Assert.IsAssignableFrom(target.ErrorType, Record.Exception(() => target.Decode(input)));
    }

    [Fact]
    public void Should_refuse_a_duplicate_key_with_a_FormatException()
    {
        var state = MessageSamples.All().OfType<DeviceRegistryMessages.RegistryState>().Single();
        var json = Encoding.UTF8.GetString(IoTSyncCodec.Encode(state));
        var entry = json[(json.IndexOf("{\"byId\":{", StringComparison.Ordinal) + 9)..^2];
        var duplicated = Encoding.UTF8.GetBytes($"{{\"byId\":{{{entry},{entry}}}}}");

        var error = Assert.Throws<FormatException>(() => IoTSyncCodec.Decode(duplicated, "registry-state"));

        Assert.Contains("malformed 'registry-state'", error.Message);
        Assert.Throws<FormatException>(() => IoTSyncCodec.Decode(Rewrite(DecoderTargets.Heartbeat.Seeds[0], "{\"device\":\"dev-s\",", "{\"device\":\"dev-s\",\"device\":\"dev-t\","), "heartbeat-2"));
    }

    private static byte[] Entry(string from, string to) => Rewrite(DecoderTargets.Entry.Seeds[0], from, to);

    private static byte[] Heartbeat(string from, string to) => Rewrite(DecoderTargets.Heartbeat.Seeds[0], from, to);

    private static byte[] Framed(IIoTSyncMessage message, string from, string to)
    {
        var manifest = Encoding.ASCII.GetBytes(IoTSyncCodec.ManifestOf(message));
        var payload = Rewrite(IoTSyncCodec.Encode(message), from, to);
        var frame = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(frame, 1 + manifest.Length + payload.Length);
        return [.. frame, (byte)manifest.Length, .. manifest, .. payload];
    }

    private static byte[] Rewrite(byte[] seed, string from, string to)
    {
        var text = Encoding.Latin1.GetString(seed);
        Assert.Contains(from, text);
        return Encoding.Latin1.GetBytes(text.Replace(from, to));
    }

    /// <summary>What is wrong with how the decoder took <paramref name="input"/>, or null.</summary>
    private static string? Check(DecoderTarget target, byte[] input)
    {
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var started = Stopwatch.GetTimestamp();
        var leak = target.Leak(input);
        var took = Stopwatch.GetElapsedTime(started);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        var input64 = Convert.ToBase64String(input.Length > 2048 ? input[..2048] : input);
        if (leak is not null)
            return $"{leak.GetType().Name} ({leak.Message}) at {leak.StackTrace?.Split('\n').FirstOrDefault()?.Trim()} for {input64}";
        if (took > MaxCall)
            return $"took {took.TotalMilliseconds:F0} ms for {input64}";
        // Bounded by what arrived, not by what a header claims.
        var bound = 4L * 1024 * 1024 + 64L * input.Length;
        if (allocated > bound)
            return $"allocated {allocated:N0} bytes (bound {bound:N0}) for {input.Length} input bytes: {input64}";
        return null;
    }
}
