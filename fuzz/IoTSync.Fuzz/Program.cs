using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.RegularExpressions;
using IoTSync.Testing.Fuzzing;
using SharpFuzz;

// iotsync-fuzz seeds <target> <directory>   writes the target's valid encodings, one file each, and
//                                            tokens.dict: their JSON property names and manifests for afl-fuzz -x
// iotsync-fuzz run <target>                 serves afl-fuzz: one input per execution, a leaked exception is a crash
// iotsync-fuzz check <target> <file>...     runs files through the target and says what leaks (to triage a crash)
switch (args)
{
    case ["seeds", var name, var directory]:
        var target = DecoderTargets.Named(name);
        Directory.CreateDirectory(directory);
        for (var i = 0; i < target.Seeds.Count; i++)
            File.WriteAllBytes(Path.Combine(directory, $"{name}-{i:D3}"), target.Seeds[i]);
        var tokens = target.Seeds
            .SelectMany(seed => Regex.Matches(Encoding.Latin1.GetString(seed), "\"[A-Za-z0-9-]+\":?").Select(m => m.Value))
            .Concat(["null", "true", "false", "[", "{", "-1", "1e400"])
            .Distinct()
            .Select((token, i) => $"t{i}=\"{token.Replace("\\", "\\\\").Replace("\"", "\\x22")}\"");
        File.WriteAllLines(Path.Combine(directory, "..", "tokens.dict"), tokens);
        Console.WriteLine($"{target.Seeds.Count} seeds for {name} in {directory}");
        return 0;
    case ["run", var name]:
        // Looked up on the first input: instrumented code (the seeds are encoded by the codec) must
        // not run before Fuzzer.Run has attached afl-fuzz's coverage map.
        DecoderTarget? run = null;
        Fuzzer.Run(stream =>
        {
            run ??= DecoderTargets.Named(name);
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            if (run.Leak(buffer.ToArray()) is { } leak)
                ExceptionDispatchInfo.Throw(leak);
        });
        return 0;
    case ["check", var name, .. var files]:
        var check = DecoderTargets.Named(name);
        var leaks = 0;
        foreach (var file in files)
        {
            if (check.Leak(File.ReadAllBytes(file)) is not { } leak)
                continue;
            leaks++;
            Console.WriteLine($"{file}: {leak.GetType().Name}: {leak.Message}\n{leak.StackTrace}");
        }
        Console.WriteLine($"{leaks} of {files.Length} inputs leak an exception other than {check.ErrorType.Name}");
        return leaks == 0 ? 0 : 1;
    default:
        Console.Error.WriteLine("usage: iotsync-fuzz seeds|run|check <frame|entry|heartbeat|control> [directory|files]");
        return 2;
}
