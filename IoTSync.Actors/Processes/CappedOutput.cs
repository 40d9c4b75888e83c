using System.Text;

namespace IoTSync.Processes;

/// <summary>
/// The first bytes of a process's output up to a cap, in arrival order; the rest is read and
/// dropped so the process never blocks on a full pipe.
/// </summary>
internal sealed class CappedOutput(int capBytes)
{
    private readonly MemoryStream _kept = new();

    public bool Truncated { get; private set; }

    /// <summary>The kept bytes as UTF-8; a sequence cut by the cap becomes a replacement character.</summary>
    public string Text
    {
        get
        {
            lock (_kept)
                return Encoding.UTF8.GetString(_kept.GetBuffer(), 0, (int)_kept.Length);
        }
    }

    public async Task Drain(Stream stream)
    {
        var buffer = new byte[8192];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            lock (_kept)
            {
                var room = (int)Math.Max(0, capBytes - _kept.Length);
                _kept.Write(buffer, 0, Math.Min(room, read));
                if (read > room)
                    Truncated = true;
            }
        }
    }
}
