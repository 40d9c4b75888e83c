using System.Buffers.Binary;
using System.Text;
using IoTSync.Serialization;
using IoTSync.Testing.Serialization;

namespace IoTSync.Testing.Fuzzing;

/// <summary>
/// Makes hostile inputs from valid encodings, deterministically from a seed: bit flips, random
/// bytes, insertions, deletions, truncation, splicing, length fields and manifest lengths set to
/// extremes, and JSON-aware changes (values replaced by huge or ill-typed numbers, null, deep
/// nesting, invalid UTF-8, other types; another manifest). Framed inputs are also re-framed after
/// their payload changes, so the decoder behind the frame check is reached.
/// </summary>
public sealed class Mutator(int seed)
{
    private static readonly int[] LengthFields = [int.MaxValue, int.MinValue, -1, 0, 1, 2, 0x7FFF_FFF0, 2_000_000_000, 16 * 1024 * 1024, 16 * 1024 * 1024 + 1, 1024 * 1024, 1024 * 1024 + 1, 65_536];

    private static readonly string[] Replacements =
    [
        "null", "0", "-1", "1.5", "1e400", "-1e400", "9223372036854775808", "-9223372036854775809", "99999999999999999999999999999999",
        "4294967296", "256", "255", "2147483648", "true", "{}", "[]", "[null]", "[1]", "{\"\":null}", "\"\"", "\"x\"",
        "\"" + new string('f', 64) + "\"", "\"" + new string('g', 64) + "\"", "\"\\u0000\"", "\"\\ud800\"", "\"" + new string('a', 70_000) + "\"",
        "\"0001-01-01T00:00:00Z\"", "\"NaN\"", "NaN", "\"-\"", "\"" + new string('a', 65) + "\"",
    ];

    private static readonly byte[][] InvalidUtf8 = [[0xC3, 0x28], [0xFF], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC0, 0xAF], [0xE2, 0x82]];

    private static readonly string[] Manifests = [.. MessageSamples.All().Select(IoTSyncCodec.ManifestOf).Distinct(), "no-such-manifest"];

    private readonly Random _random = new(seed);

    /// <summary>The next input for <paramref name="target"/>: a mutated seed, now and then pure noise.</summary>
    public byte[] Next(DecoderTarget target)
    {
        if (_random.Next(20) == 0)
            return RandomBytes(_random.Next(0, 64));
        var input = Pick(target.Seeds);
        var rounds = 1 + _random.Next(3);
        for (var i = 0; i < rounds; i++)
            input = Mutate(target, input);
        return input;
    }

    private byte[] Mutate(DecoderTarget target, byte[] input)
    {
        if (target.Framed && TryUnframe(input, out var manifest, out var payload) && _random.Next(2) == 0)
        {
            return _random.Next(6) == 0
                ? Frame(Pick(Manifests), payload)
                : Frame(manifest, MutateJson(payload));
        }
        return _random.Next(12) switch
        {
            0 => FlipBits(input),
            1 => SetBytes(input),
            2 => Insert(input, RandomBytes(1 + _random.Next(8))),
            3 => Delete(input),
            4 => input[.._random.Next(input.Length + 1)],
            5 => Splice(input, Pick(target.Seeds)),
            6 when target.Framed => SetLength(input),
            7 when target.Framed => SetManifestLength(input),
            8 when target.Framed => [.. input, .. Pick(target.Seeds)],
            _ => MutateJson(input),
        };
    }

    private byte[] MutateJson(byte[] json)
    {
        var values = ValueSpans(json);
        if (values.Count == 0)
            return FlipBits(json);
        var (start, length) = Pick(values);
        var replacement = _random.Next(8) switch
        {
            0 => Nesting(_random.Next(2) == 0 ? 1 + _random.Next(100) : 1000 + _random.Next(100_000)),
            1 => [(byte)'"', .. Pick(InvalidUtf8), (byte)'"'],
            2 => json.AsSpan(start, length).ToArray().Concat(json.AsSpan(start, length).ToArray()).ToArray(),
            3 when length > 2 => [.. json.AsSpan(start, length - 1), .. Pick(InvalidUtf8), (byte)'"'],
            _ => Encoding.UTF8.GetBytes(Pick(Replacements)),
        };
        return [.. json.AsSpan(0, start), .. replacement, .. json.AsSpan(start + length)];
    }

    private byte[] Nesting(int depth)
    {
        var (open, close) = _random.Next(2) == 0 ? ("[", "]") : ("{\"a\":", "}");
        var builder = new StringBuilder();
        for (var i = 0; i < depth; i++)
            builder.Append(open);
        builder.Append('1');
        // Unclosed now and then: the reader has to give up on depth or on the end, not on memory.
        if (_random.Next(4) != 0)
            for (var i = 0; i < depth; i++)
                builder.Append(close);
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>Where strings and numbers stand in a JSON text (rough: good enough to aim mutations).</summary>
    private static List<(int Start, int Length)> ValueSpans(byte[] json)
    {
        var spans = new List<(int, int)>();
        var i = 0;
        while (i < json.Length)
        {
            var c = json[i];
            if (c == '"')
            {
                var end = i + 1;
                while (end < json.Length && json[end] != '"')
                    end += json[end] == '\\' ? 2 : 1;
                end = Math.Min(end, json.Length - 1);
                spans.Add((i, end - i + 1));
                i = end + 1;
            }
            else if (c is (byte)'-' or >= (byte)'0' and <= (byte)'9' || c is (byte)'[' or (byte)'{' or (byte)'t' or (byte)'f' or (byte)'n')
            {
                var end = i;
                if (c is (byte)'[' or (byte)'{')
                {
                    spans.Add((i, 1));
                    i++;
                    continue;
                }
                while (end < json.Length && json[end] is not ((byte)',' or (byte)'}' or (byte)']'))
                    end++;
                spans.Add((i, end - i));
                i = end;
            }
            else
            {
                i++;
            }
        }
        return spans;
    }

    private static bool TryUnframe(byte[] input, out string manifest, out byte[] payload)
    {
        manifest = "";
        payload = [];
        if (input.Length < 6)
            return false;
        var length = BinaryPrimitives.ReadInt32BigEndian(input);
        var manifestLength = input[4];
        if (length < 2 || 4L + length > input.Length || manifestLength == 0 || 1 + manifestLength > length)
            return false;
        manifest = Encoding.ASCII.GetString(input, 5, manifestLength);
        payload = input.AsSpan(5 + manifestLength, length - 1 - manifestLength).ToArray();
        return true;
    }

    private static byte[] Frame(string manifest, byte[] payload)
    {
        var manifestBytes = Encoding.ASCII.GetBytes(manifest);
        var frame = new byte[4 + 1 + manifestBytes.Length + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, 1 + manifestBytes.Length + payload.Length);
        frame[4] = (byte)manifestBytes.Length;
        manifestBytes.CopyTo(frame, 5);
        payload.CopyTo(frame, 5 + manifestBytes.Length);
        return frame;
    }

    private byte[] SetLength(byte[] input)
    {
        var copy = input.Length >= 4 ? input.ToArray() : new byte[4];
        var value = _random.Next(3) == 0 ? BinaryPrimitives.ReadInt32BigEndian(copy) + _random.Next(-2, 3) : Pick(LengthFields);
        BinaryPrimitives.WriteInt32BigEndian(copy, value);
        return copy;
    }

    private byte[] SetManifestLength(byte[] input)
    {
        if (input.Length < 5)
            return input;
        var copy = input.ToArray();
        copy[4] = (byte)(_random.Next(3) switch { 0 => 0, 1 => 255, _ => _random.Next(256) });
        return copy;
    }

    private byte[] FlipBits(byte[] input)
    {
        if (input.Length == 0)
            return input;
        var copy = input.ToArray();
        var flips = 1 + _random.Next(4);
        for (var i = 0; i < flips; i++)
            copy[_random.Next(copy.Length)] ^= (byte)(1 << _random.Next(8));
        return copy;
    }

    private byte[] SetBytes(byte[] input)
    {
        if (input.Length == 0)
            return input;
        var copy = input.ToArray();
        var at = _random.Next(copy.Length);
        var special = new byte[] { 0, 0xFF, 0x7F, 0x80, (byte)'"', (byte)'\\', (byte)'{', (byte)'[' };
        copy[at] = _random.Next(2) == 0 ? Pick(special) : (byte)_random.Next(256);
        return copy;
    }

    private byte[] Insert(byte[] input, byte[] bytes)
    {
        var at = _random.Next(input.Length + 1);
        return [.. input.AsSpan(0, at), .. bytes, .. input.AsSpan(at)];
    }

    private byte[] Delete(byte[] input)
    {
        if (input.Length == 0)
            return input;
        var at = _random.Next(input.Length);
        var count = 1 + _random.Next(Math.Min(16, input.Length - at));
        return [.. input.AsSpan(0, at), .. input.AsSpan(at + count)];
    }

    private byte[] Splice(byte[] input, byte[] other)
    {
        var cut = _random.Next(input.Length + 1);
        var from = _random.Next(other.Length + 1);
        return [.. input.AsSpan(0, cut), .. other.AsSpan(from)];
    }

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];
}
