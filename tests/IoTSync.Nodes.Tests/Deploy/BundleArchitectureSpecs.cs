using Xunit;

namespace IoTSync.Tests.Deploy;

/// <summary>
/// Every native file in a bundle is built for the bundle's architecture: the ELF header's machine of
/// each executable and shared library under the unpacked bundle (the nodes' app hosts, the runtime,
/// SQLite, the Native AOT relay and command runner) is x86-64 in the linux-x64 bundle and AArch64 in
/// the linux-arm64 one; and the relay and command runner are native there, not managed fallbacks.
/// </summary>
public sealed class BundleArchitectureSpecs
{
    private const ushort X8664 = 62;
    private const ushort AArch64 = 183;

    [SkippableFact]
    public Task Should_hold_only_native_files_of_the_x64_bundles_architecture() => HoldsOnlyNativeFilesOf("linux-x64", X8664);

    /// <summary>Run by <c>./iotsync publish --prove-arm64</c>, not by <c>./iotsync test</c> (see <see cref="InstalledNodesBedSpecs"/>).</summary>
    [SkippableFact]
    [Trait("Proof", "arm64")]
    public Task Should_hold_only_native_files_of_the_arm64_bundles_architecture() => HoldsOnlyNativeFilesOf("linux-arm64", AArch64);

    private static async Task HoldsOnlyNativeFilesOf(string rid, ushort machine)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the bundles are published on Linux");
        var bundle = await InstalledBundle.Unpacked(rid);
        var natives = Directory.EnumerateFiles(bundle, "*", SearchOption.AllDirectories)
            .Where(f => !new FileInfo(f).Attributes.HasFlag(FileAttributes.ReparsePoint))
            .Select(f => (File: Path.GetRelativePath(bundle, f), Machine: ElfMachine(f)))
            .Where(f => f.Machine is not null)
            .ToList();

        Assert.Contains(natives, f => f.File == "device/iotsync-device");
        Assert.Contains(natives, f => f.File == "mirror/iotsync-mirror");
        Assert.Contains(natives, f => f.File == "device/libcoreclr.so");
        // Native AOT: one executable each, no managed assembly beside it.
        Assert.Contains(natives, f => f.File == "bin/iotsync-sync-relay");
        Assert.Contains(natives, f => f.File == "bin/iotsync-command-runner");
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(bundle, "bin"), "*.dll"));
        var foreign = natives.Where(f => f.Machine != machine).Select(f => $"{f.File} (machine {f.Machine})").ToList();
        Assert.True(foreign.Count == 0, $"not built for {rid}: {string.Join(", ", foreign)}");
    }

    /// <summary>The e_machine field of an ELF file (little-endian, at offset 18), or null when the file is not ELF.</summary>
    private static ushort? ElfMachine(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> header = stackalloc byte[20];
        if (file.Read(header) < header.Length || header[0] != 0x7f || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F')
            return null;
        return (ushort)(header[18] | header[19] << 8);
    }
}
