using System.Runtime.InteropServices;

namespace IoTSync.Device.Firewall;

/// <summary>
/// nftables in-process through <c>libnftables.so.1</c> (Debian's <c>libnftables1</c>): one context
/// for the node's life, commands passed as text, no process per window. Acts in the network
/// namespace of the calling process and needs <c>CAP_NET_ADMIN</c>. A libnftables context is not
/// thread-safe: calls are serialised.
/// </summary>
public sealed partial class LibNftables : INftables, IDisposable
{
    private const string Library = "libnftables.so.1";
    private readonly Lock _gate = new();
    private IntPtr _context;

    private LibNftables(IntPtr context) => _context = context;

    /// <summary>A context, or null with the reason when the library cannot be loaded here.</summary>
    public static LibNftables? TryCreate(out string? reason)
    {
        try
        {
            var context = nft_ctx_new(0);
            if (context == IntPtr.Zero)
            {
                reason = "nft_ctx_new failed";
                return null;
            }
            // Errors into a buffer we read, not onto the node's stderr.
            nft_ctx_buffer_error(context);
            nft_ctx_buffer_output(context);
            reason = null;
            return new LibNftables(context);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            reason = $"{Library} cannot be loaded ({e.Message.Split('\n')[0]}); install libnftables1";
            return null;
        }
    }

    public Task Run(string commands, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_context == IntPtr.Zero, this);
            if (nft_run_cmd_from_buffer(_context, commands) != 0)
                throw new NftablesException($"nftables refused: {Marshal.PtrToStringUTF8(nft_ctx_get_error_buffer(_context))?.Trim()}");
        }
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_context == IntPtr.Zero)
                return;
            nft_ctx_free(_context);
            _context = IntPtr.Zero;
        }
    }

    [DllImport(Library)]
    private static extern IntPtr nft_ctx_new(uint flags);

    [DllImport(Library)]
    private static extern void nft_ctx_free(IntPtr context);

    [DllImport(Library)]
    private static extern int nft_ctx_buffer_error(IntPtr context);

    [DllImport(Library)]
    private static extern int nft_ctx_buffer_output(IntPtr context);

    [DllImport(Library)]
    private static extern IntPtr nft_ctx_get_error_buffer(IntPtr context);

    [DllImport(Library)]
    private static extern int nft_run_cmd_from_buffer(IntPtr context, [MarshalAs(UnmanagedType.LPUTF8Str)] string buffer);
}
