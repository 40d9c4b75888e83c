using System.Collections.Immutable;

namespace IoTSync.Model;

/// <summary>
/// Recognises the model's own property operations among argument vectors: exactly
/// <c>set KEY VALUE</c> or <c>unset KEY</c>. Every other argument vector is a device command.
/// </summary>
public static class PropertyCommand
{
    public const string Set = "set";
    public const string Unset = "unset";

    public static bool IsPropertyOperation(ImmutableArray<string> argv) =>
        !argv.IsDefaultOrEmpty && argv[0] switch
        {
            Set => argv.Length == 3,
            Unset => argv.Length == 2,
            _ => false,
        };

    public static bool IsDeviceCommand(ImmutableArray<string> argv) => !argv.IsDefaultOrEmpty && !IsPropertyOperation(argv);
}
