namespace IoTSync.MirrorApi.Resources;

/// <summary>
/// An RFC 9457 problem document, as every refusal is answered: <see cref="Type"/> names the kind of
/// problem (a relative URI under <c>/problems/</c>), <see cref="Title"/> in a few words, the HTTP
/// status, the detail in a sentence, and <see cref="Field"/>: the request field at fault, if one is.
/// </summary>
public sealed record ProblemDocument(string Type, string Title, int Status, string Detail, string? Field = null);
