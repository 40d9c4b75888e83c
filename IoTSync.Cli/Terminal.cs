using System.Globalization;
using Spectre.Console;

namespace IoTSync.Cli;

/// <summary>
/// Output for people: Spectre.Console tables on stdout, with colour and box drawing only on a
/// terminal; redirected output gets plain ASCII, no escape codes, and no wrapping.
/// </summary>
public static class Terminal
{
    public static IAnsiConsole Create(TextWriter output, bool isTerminal)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = isTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = isTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = isTerminal ? InteractionSupport.Detect : InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        if (!isTerminal)
        {
            console.Profile.Width = 4096;
            console.Profile.Capabilities.Unicode = false;
        }
        return console;
    }

    /// <summary>
    /// A table for <paramref name="console"/>: rounded box drawing on a terminal, plain ASCII borders
    /// otherwise (Spectre draws its default box in Unicode whatever the console's capabilities say).
    /// </summary>
    public static Table Table(IAnsiConsole console) =>
        new() { Border = console.Profile.Capabilities.Unicode ? TableBorder.Rounded : TableBorder.Ascii };
}
