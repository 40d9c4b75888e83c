namespace IoTSync.Testing.Fuzzing;

/// <summary>
/// One decoder under fuzzing: how one input reaches it, the one exception type it may refuse
/// input with, and valid encodings to start mutating from. Shared by the bounded fuzz specs and
/// the coverage-guided campaign (<c>./iotsync fuzz</c>), so both exercise the same code.
/// </summary>
/// <param name="Name">What <c>--target</c> calls it: frame, entry, heartbeat, control.</param>
/// <param name="ErrorType">The decoder's own error type; anything else escaping is a finding.</param>
/// <param name="Framed">True when inputs are length-prefixed frames (the mutator then also rewrites payloads and re-frames them).</param>
/// <param name="Decode">Feeds one input to the decoder and to what its caller does first with the result.</param>
/// <param name="Seeds">Valid encodings.</param>
public sealed record DecoderTarget(string Name, Type ErrorType, bool Framed, Action<byte[]> Decode, IReadOnlyList<byte[]> Seeds)
{
    /// <summary>Null when the input is accepted or refused with <see cref="ErrorType"/>; otherwise what leaked.</summary>
    public Exception? Leak(byte[] input)
    {
        try
        {
            Decode(input);
            return null;
        }
        catch (Exception e) when (ErrorType.IsInstanceOfType(e))
        {
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
