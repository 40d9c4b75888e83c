using System.Globalization;
using Spectre.Console;

namespace IoTSync.Cli;

/// <summary>
/// "label: 12,000 events" on stderr, rewritten in place at most a few times a second, and only
/// when stderr is a terminal: scripts and logs never see it.
/// </summary>
public sealed class StderrProgress : IProgress<long>, IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private readonly TextWriter _stderr;
    private readonly string _label;
    private readonly bool _enabled;
    private DateTime _lastShown = DateTime.MinValue;
    private bool _shown;

    public StderrProgress(string label, TextWriter? stderr = null, bool? enabled = null)
    {
        _label = label;
        _stderr = stderr ?? Console.Error;
        _enabled = enabled ?? !Console.IsErrorRedirected;
    }

    public void Report(long value)
    {
        if (!_enabled || DateTime.UtcNow - _lastShown < Interval)
            return;
        _lastShown = DateTime.UtcNow;
        _shown = true;
        _stderr.Write($"\r{_label}: {value.ToString("N0", CultureInfo.InvariantCulture)} events\u001b[K");
        _stderr.Flush();
    }

    public void Dispose()
    {
        if (_shown)
            _stderr.Write("\r\u001b[K");
    }
}
