using System.Text.Json;
using IoTSync.Demo;
using IoTSync.Testing.Rig;

// `./iotsync demo [--keep DIR]`: a mirror node and a device node on this machine, the device's
// own sshd on loopback, and the story of a command each way. Exit 0 only when every step was seen.
var keep = args.Length >= 2 && args[0] == "--keep" ? Path.GetFullPath(args[1]) : null;
if (args.Length > 0 && keep is null)
{
    Console.Error.WriteLine("usage: iotsync-demo [--keep DIR]");
    return 2;
}
var directory = keep ?? Directory.CreateTempSubdirectory("iotsync-demo-").FullName;
if (keep is not null && Directory.Exists(keep) && Directory.EnumerateFileSystemEntries(keep).Any())
{
    Console.Error.WriteLine($"iotsync-demo: {keep} is not empty; give a new or empty directory");
    return 2;
}
Console.WriteLine($"IoTSync demo in {directory}");
var failed = false;
Deployment? deployment = null;
try
{
    var binaries = NodeBinaries.Locate();
    deployment = await Deployment.Create(directory, binaries, new DeploymentOptions { MirrorApi = true });
    Console.WriteLine($"  ✓ device sshd on 127.0.0.1:{deployment.Sshd.Port}, host key {deployment.Sshd.HostKey}");
    await deployment.StartMirror();
    Console.WriteLine($"  ✓ mirror node running (heartbeats on 127.0.0.1:{deployment.MirrorPort}, SQLite {deployment.MirrorDatabase})");
    var line = await deployment.Enroll();
    Console.WriteLine($"  ✓ enrolled {deployment.DeviceId}: host key pinned; authorized_keys: {line[..line.IndexOf(" ecdsa", StringComparison.Ordinal)]} ecdsa-sha2-nistp256 …");
    var token = (await deployment.MirrorCli(["token", "create", "--name", "demo-app", "--role", "operate"])).EnsureSuccess("iotsync-mirror token create").Stdout.Trim();
    Console.WriteLine($"  ✓ mirror API at {deployment.ApiAddress} (HTTPS; trust {deployment.FleetCaCertificate}); an application's token (role operate): {token}");
    await deployment.StartDevice();
    Console.WriteLine($"  ✓ device node running (cycle {deployment.Options.Period.TotalSeconds:0.#} s, window limit {deployment.Options.WindowLimit.TotalSeconds:0.#} s, toggler none, SQLite {deployment.DeviceDatabase})");
    var story = new Story(deployment, token, Console.Out);
    await story.Run();
    await File.WriteAllTextAsync(Path.Combine(directory, "windows.json"), JsonSerializer.Serialize(new
    {
        count = story.WindowCount, medianMs = story.WindowMedianMs, worstMs = story.WindowWorstMs,
    }));
}
catch (Exception e)
{
    failed = true;
    Console.Error.WriteLine($"iotsync-demo: FAILED: {e.Message}");
    Console.Error.WriteLine($"iotsync-demo: logs in {directory} (mirror/node.log, device/node.log, device-ssh/sshd.log)");
    keep ??= directory;
}
finally
{
    if (deployment is not null)
        await deployment.DisposeAsync();
}
Console.WriteLine("  ✓ stopped the device node, the mirror node and sshd");
if (keep is not null)
{
    var dotnet = deployment?.Binaries.Dotnet ?? "dotnet";
    Console.WriteLine($"""
        kept {keep}: configs, keys, SQLite files and logs. To go on:
          {dotnet} {deployment?.Binaries.MirrorDll} run --config {Path.Combine(keep, "mirror", "mirror.hocon")}
          /usr/sbin/sshd -D -f {Path.Combine(keep, "device-ssh", "sshd_config")}
          {dotnet} {deployment?.Binaries.DeviceDll} run --config {Path.Combine(keep, "device", "device.hocon")}
          {dotnet} {deployment?.Binaries.MirrorDll} journal list --config {Path.Combine(keep, "mirror", "mirror.hocon")}
          {dotnet} {deployment?.Binaries.DeviceDll} journal verify --config {Path.Combine(keep, "device", "device.hocon")}
          curl --cacert {deployment?.FleetCaCertificate} -H "Authorization: Bearer TOKEN" {deployment?.ApiAddress}api/v1/devices
        """);
}
else
    Directory.Delete(directory, recursive: true);
return failed ? 1 : 0;
