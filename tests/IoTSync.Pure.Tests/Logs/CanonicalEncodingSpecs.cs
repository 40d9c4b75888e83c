using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using IoTSync.Logs;
using Xunit;
using IoTSync.Model;

namespace IoTSync.Tests.Logs;

/// <summary>
/// Known-answer tests for the canonical encoding. The hex values below were computed once from
/// this encoding and are pinned: if one of them changes, every stored log on every device stops
/// verifying. Change the encoding only under a new version tag.
/// </summary>
public sealed class CanonicalEncodingSpecs
{
    private static readonly DeviceId KatDevice = new("kat-device");

    private const string DeviceGenesisHex = "053532ee82c602e1ef5f0c5d6e4f4a2737761fb6fb40b210cdcfc75f335acb86";
    private const string MirrorGenesisHex = "0933654829f30dc14edea06ec6da0b10c895be5fba76cc4a3c21d99eaa754963";
    private const string DeviceCommandHex = "a3745cd75a111b4c1f0a10d5a0c9dfe7a47c9b3f8439c51b129cb5f856380a50";
    private const string DeviceResultHex = "0dfdac4240c91aaa892bfd0a2201a16f070827c882f6f8e999d964822e870903";
    private const string MirrorCommandHex = "f48b686c289b6f64428747523eb4a9bf184f34bbf90605079241d429e9299072";
    private const string MirrorCancelHex = "95871910f101f2d7dcd0b2aeb935d1f8d8a83dd3d020da4efbfe849ccb88b978";
    // tag | seq | origin | kind | wall | counter | issuer | argc | no not-after | target (mirror, 1) | no result | previous hash
    private const string MirrorCancelEncodingHex =
        "0000000f494f5453594e432f454e5452592f31000000000000000202030000019b76daafd000000000000000076170693a626f6200000000000102000000000000000100f48b686c289b6f64428747523eb4a9bf184f34bbf90605079241d429e9299072";

    private sealed record KnownEntries(LogEntry DeviceCommand, LogEntry DeviceResult, LogEntry MirrorCommand, LogEntry MirrorCancel);

    private static KnownEntries BuildKnownEntries()
    {
        var device0 = LogPosition.Empty(KatDevice, Origin.Device);
        var deviceCommand = LogEntry.NewCommand(device0, Origin.Device, new HlcTimestamp(1_767_225_600_000, 0),
            "operator@console", ["printf", "%s|%s|%s|%s", "ı", "İ", "ß", "é"]);
        var deviceResult = LogEntry.NewResult(device0.After(deviceCommand), new HlcTimestamp(1_767_225_600_250, 3),
            "device-runner", deviceCommand.Ref,
            new ResultFields(CommandOutcome.Failed, ExitCode: 3, Output: "ı|İ|ß|é\nSTRASSE İstanbul", Truncated: true, DurationMs: 250));

        var mirror0 = LogPosition.Empty(KatDevice, Origin.Mirror);
        var mirrorCommand = LogEntry.NewCommand(mirror0, Origin.Mirror, new HlcTimestamp(1_767_225_601_000, 1),
            "api:alice", ["systemctl", "restart", "sensor-daemon"], notAfterUnixMs: 1_767_229_200_000);
        var mirrorCancel = LogEntry.NewCancel(mirror0.After(mirrorCommand), new HlcTimestamp(1_767_225_602_000, 0),
            "api:bob", mirrorCommand.Sequence);

        return new KnownEntries(deviceCommand, deviceResult, mirrorCommand, mirrorCancel);
    }

    public static TheoryData<string> Cultures => ["", "tr-TR", "de-DE"];

    [Theory]
    [MemberData(nameof(Cultures))]
    public void Should_produce_the_pinned_hashes_in_any_culture(string cultureName)
    {
        var savedCulture = CultureInfo.CurrentCulture;
        var savedUiCulture = CultureInfo.CurrentUICulture;
        try
        {
            var culture = CultureInfo.GetCultureInfo(cultureName);
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = culture;
            Assert.Equal(cultureName, CultureInfo.CurrentCulture.Name);
            if (cultureName == "tr-TR")
                Assert.Equal("ı", "I".ToLower()); // the culture is really in effect (ICU present), so this run means something

            Assert.Equal(DeviceGenesisHex, LogPosition.Empty(KatDevice, Origin.Device).Head.ToHex());
            Assert.Equal(MirrorGenesisHex, LogPosition.Empty(KatDevice, Origin.Mirror).Head.ToHex());

            var known = BuildKnownEntries();
            Assert.Equal(DeviceCommandHex, known.DeviceCommand.Hash.ToHex());
            Assert.Equal(DeviceResultHex, known.DeviceResult.Hash.ToHex());
            Assert.Equal(MirrorCommandHex, known.MirrorCommand.Hash.ToHex());
            Assert.Equal(MirrorCancelHex, known.MirrorCancel.Hash.ToHex());
            Assert.Equal(MirrorCancelEncodingHex, Convert.ToHexStringLower(CanonicalEncoding.EncodeEntry(known.MirrorCancel)));

            // The chain is what it claims to be.
            Assert.Equal(known.DeviceCommand.Hash, known.DeviceResult.PreviousHash);
            Assert.Equal(known.MirrorCommand.Hash, known.MirrorCancel.PreviousHash);
            Assert.All([known.DeviceCommand, known.DeviceResult, known.MirrorCommand, known.MirrorCancel],
                entry => Assert.True(entry.HasValidHash));
            Assert.Equal(known.DeviceCommand.Hash, Sha256Hash.Parse(DeviceCommandHex));
        }
        finally
        {
            CultureInfo.CurrentCulture = savedCulture;
            CultureInfo.CurrentUICulture = savedUiCulture;
        }
    }

    [Fact]
    public void Should_encode_strings_as_length_prefixed_utf8_without_case_or_normalisation_changes()
    {
        var known = BuildKnownEntries();
        var encoding = CanonicalEncoding.EncodeEntry(known.DeviceCommand);

        foreach (var arg in new[] { "ı", "İ", "ß", "é" })
        {
            var bytes = Encoding.UTF8.GetBytes(arg);
            var prefixed = new byte[4 + bytes.Length];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(prefixed, bytes.Length);
            bytes.CopyTo(prefixed, 4);
            Assert.True(encoding.AsSpan().IndexOf(prefixed) >= 0, $"'{arg}' is not in the encoding as length-prefixed UTF-8");
        }

        // A decomposed é (e + combining acute) is another string, so another hash: no normalisation.
        var decomposed = known.DeviceCommand with
        {
            Argv = [.. known.DeviceCommand.Argv.Select(a => a == "é" ? "e\u0301" : a)],
        };
        Assert.NotEqual(known.DeviceCommand.Hash, decomposed.ComputeHash());
    }

    [Fact]
    public void Should_bind_the_genesis_hash_to_the_device_and_the_origin()
    {
        var other = new DeviceId("kat-device2");
        Sha256Hash[] heads =
        [
            LogPosition.Empty(KatDevice, Origin.Device).Head,
            LogPosition.Empty(KatDevice, Origin.Mirror).Head,
            LogPosition.Empty(other, Origin.Device).Head,
            LogPosition.Empty(other, Origin.Mirror).Head,
        ];

        Assert.Equal(heads.Length, heads.Distinct().Count());
        Assert.Equal(0, LogPosition.Empty(KatDevice, Origin.Device).Length);
        Assert.Equal(heads[0], CanonicalEncoding.GenesisHash(KatDevice, Origin.Device));
    }

    [Fact]
    public void Should_not_cover_the_stored_hash_itself()
    {
        var known = BuildKnownEntries();
        var rewritten = known.DeviceResult with { Hash = Sha256Hash.Of("anything"u8) };

        Assert.Equal(known.DeviceResult.Hash, rewritten.ComputeHash());
        Assert.False(rewritten.HasValidHash);
    }

    // ----- every field is covered -----

    /// <summary>An entry with every field present (shape does not matter to the encoding).</summary>
    private static readonly LogEntry Full = new(
        Sequence: 7,
        Origin: Origin.Device,
        Kind: EntryKind.Result,
        Timestamp: new HlcTimestamp(1_767_225_600_000, 2),
        Issuer: "issuer",
        Argv: ["run", "a", "b"],
        NotAfterUnixMs: 1_767_229_200_000,
        Target: new CommandRef(Origin.Mirror, 3),
        Result: new ResultFields(CommandOutcome.Executed, ExitCode: 0, Output: "output", Truncated: false, DurationMs: 12),
        PreviousHash: Sha256Hash.Of("previous"u8),
        Hash: Sha256Hash.Zero);

    private static readonly IReadOnlyDictionary<string, Func<LogEntry, LogEntry>> Mutations =
        new Dictionary<string, Func<LogEntry, LogEntry>>
        {
            ["sequence"] = e => e with { Sequence = e.Sequence + 1 },
            ["origin"] = e => e with { Origin = Origin.Mirror },
            ["kind"] = e => e with { Kind = EntryKind.Command },
            ["timestamp wall"] = e => e with { Timestamp = e.Timestamp with { WallMs = e.Timestamp.WallMs + 1 } },
            ["timestamp counter"] = e => e with { Timestamp = e.Timestamp with { Counter = e.Timestamp.Counter + 1 } },
            ["issuer"] = e => e with { Issuer = "issuer2" },
            ["argv element"] = e => e with { Argv = ["run", "a", "c"] },
            ["argv order"] = e => e with { Argv = ["run", "b", "a"] },
            ["argv element added"] = e => e with { Argv = ["run", "a", "b", ""] },
            ["argv element removed"] = e => e with { Argv = ["run", "a"] },
            ["argv boundary"] = e => e with { Argv = ["ru", "na", "b"] },
            ["not-after value"] = e => e with { NotAfterUnixMs = e.NotAfterUnixMs + 1 },
            ["not-after absent"] = e => e with { NotAfterUnixMs = null },
            ["target origin"] = e => e with { Target = new CommandRef(Origin.Device, 3) },
            ["target sequence"] = e => e with { Target = new CommandRef(Origin.Mirror, 4) },
            ["target absent"] = e => e with { Target = null },
            ["result outcome"] = e => e with { Result = e.Result! with { Outcome = CommandOutcome.Failed } },
            ["result exit code"] = e => e with { Result = e.Result! with { ExitCode = 1 } },
            ["result output"] = e => e with { Result = e.Result! with { Output = "Output" } },
            ["result truncated"] = e => e with { Result = e.Result! with { Truncated = true } },
            ["result duration"] = e => e with { Result = e.Result! with { DurationMs = 13 } },
            ["result absent"] = e => e with { Result = null },
            ["previous hash"] = e => e with { PreviousHash = Sha256Hash.Of("previous2"u8) },
        };

    public static TheoryData<string> Fields => [.. Mutations.Keys];

    [Theory]
    [MemberData(nameof(Fields))]
    public void Should_change_the_hash_when_a_single_field_changes(string field)
    {
        var mutated = Mutations[field](Full);

        Assert.NotEqual(Full, mutated);
        Assert.NotEqual(Full.ComputeHash(), mutated.ComputeHash());
        Assert.NotEqual(CanonicalEncoding.EncodeEntry(Full), CanonicalEncoding.EncodeEntry(mutated));
    }

    [Fact]
    public void Should_give_every_single_field_change_its_own_hash()
    {
        var hashes = Mutations.Values.Select(mutate => mutate(Full).ComputeHash()).Append(Full.ComputeHash()).ToList();

        Assert.Equal(Mutations.Count + 1, hashes.Distinct().Count());
    }

    [Fact]
    public void Should_be_deterministic_for_equal_entries_built_separately()
    {
        var first = BuildKnownEntries();
        var second = BuildKnownEntries();

        Assert.Equal(CanonicalEncoding.EncodeEntry(first.DeviceResult), CanonicalEncoding.EncodeEntry(second.DeviceResult));
        Assert.Equal(first.DeviceResult.Hash, second.DeviceResult.Hash);
        Assert.Equal(first.DeviceCommand.Hash,
            (first.DeviceCommand with { Argv = ImmutableArray.Create(first.DeviceCommand.Argv.ToArray()) }).ComputeHash());
    }
}
