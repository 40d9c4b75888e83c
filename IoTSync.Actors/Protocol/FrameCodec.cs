using System.Buffers.Binary;
using System.Text;
using IoTSync.Serialization;

namespace IoTSync.Protocol;

/// <summary>
/// Frames exchange messages on a byte stream (the SSH session's stdin and stdout):
/// a 4-byte big-endian length of what follows, a 1-byte manifest length, the ASCII manifest,
/// then the <see cref="IoTSyncCodec"/> payload. A reader names the kind of message it accepts
/// (<see cref="ExchangeMessage"/> on the SSH session, control messages on the device's control
/// socket): nothing else is decoded, and nothing larger than the configured bound is read.
/// </summary>
public static class FrameCodec
{
    /// <summary>Default bound on one frame: room for a full batch of entries with capped outputs.</summary>
    public const int DefaultMaxFrameBytes = 16 * 1024 * 1024;

    /// <summary>What a body buffer starts at; it doubles as bytes arrive, up to the frame's length.</summary>
    private const int FirstChunkBytes = 64 * 1024;

    public static async Task Write(Stream stream, IIoTSyncMessage message, CancellationToken cancellationToken) =>
        await WriteFrame(stream, Encode(message), cancellationToken);

    /// <summary>Writes a frame made by <see cref="Encode"/>.</summary>
    public static async Task WriteFrame(Stream stream, byte[] frame, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(frame, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    /// <summary>The whole frame of <paramref name="message"/>; its length less the 4-byte prefix is what a reader's bound is compared with.</summary>
    public static byte[] Encode(IIoTSyncMessage message)
    {
        var manifest = Encoding.ASCII.GetBytes(IoTSyncCodec.ManifestOf(message));
        var payload = IoTSyncCodec.Encode(message);
        var frame = new byte[4 + 1 + manifest.Length + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, 1 + manifest.Length + payload.Length);
        frame[4] = (byte)manifest.Length;
        manifest.CopyTo(frame, 5);
        payload.CopyTo(frame, 5 + manifest.Length);
        return frame;
    }

    private static object? TryDecode(ReadOnlySpan<byte> payload, string manifest)
    {
        try
        {
            return IoTSyncCodec.Decode(payload, manifest);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The next exchange message, or null when the stream ends cleanly between frames.</summary>
    public static Task<ExchangeMessage?> Read(Stream stream, int maxFrameBytes, CancellationToken cancellationToken) =>
        Read<ExchangeMessage>(stream, maxFrameBytes, cancellationToken);

    /// <summary>The next message of kind <typeparamref name="T"/>, or null when the stream ends cleanly between frames.</summary>
    public static async Task<T?> Read<T>(Stream stream, int maxFrameBytes, CancellationToken cancellationToken) where T : class, IIoTSyncMessage
    {
        var header = new byte[4];
        var got = await ReadFully(stream, header, cancellationToken);
        if (got == 0)
            return null;
        if (got < header.Length)
            throw new FrameException($"stream ended inside a frame header ({got} of 4 bytes)");
        var length = BinaryPrimitives.ReadInt32BigEndian(header);
        if (length < 2 || length > maxFrameBytes)
            throw new FrameException($"frame of {length} bytes is outside 2..{maxFrameBytes}");
        var body = await ReadBody(stream, length, cancellationToken);
        var manifestLength = body[0];
        if (manifestLength == 0 || 1 + manifestLength > length)
            throw new FrameException($"frame has a manifest length of {manifestLength} in {length} bytes");
        var manifest = Encoding.ASCII.GetString(body, 1, manifestLength);
        // Only the expected kind is decoded from the wire: journal and actor types never are.
        if (IoTSyncCodec.TypeOf(manifest) is { } type && !typeof(T).IsAssignableFrom(type))
        {
            // The device's end refused the session before any exchange (outside its window, say): say why.
            if (type == typeof(Control.ControlError) && !typeof(T).IsAssignableFrom(typeof(Control.ControlError))
                && TryDecode(body.AsSpan(1 + manifestLength), manifest) is Control.ControlError refusal)
                throw new FrameException($"the device refused the session: {refusal.Message}");
            throw new FrameException($"'{manifest}' is not {KindName<T>()}");
        }
        object decoded;
        try
        {
            decoded = IoTSyncCodec.Decode(body.AsSpan(1 + manifestLength), manifest);
        }
        catch (FormatException e)
        {
            throw new FrameException(e.Message, e);
        }
        return (T)decoded;
    }

    private static string KindName<T>() => typeof(T) == typeof(ExchangeMessage) ? "an exchange message" : $"a {typeof(T).Name}";

    /// <summary>
    /// The frame's body, in a buffer that grows with what arrives: a header claiming the bound,
    /// followed by nothing, costs the first chunk, not the bound.
    /// </summary>
    private static async Task<byte[]> ReadBody(Stream stream, int length, CancellationToken cancellationToken)
    {
        var body = new byte[Math.Min(length, FirstChunkBytes)];
        var total = 0;
        while (true)
        {
            total += await ReadFully(stream, body.AsMemory(total), cancellationToken);
            if (total < body.Length)
                throw new FrameException($"stream ended inside a frame ({total} of {length} bytes)");
            if (total == length)
                return body;
            Array.Resize(ref body, (int)Math.Min(length, 2L * body.Length));
        }
    }

    private static async Task<int> ReadFully(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer[total..], cancellationToken);
            if (read == 0)
                break;
            total += read;
        }
        return total;
    }
}
