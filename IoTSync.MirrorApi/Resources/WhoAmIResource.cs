namespace IoTSync.MirrorApi.Resources;

/// <summary>
/// Who the API takes the caller for: the name commands are recorded as issued by (<c>token:NAME</c>,
/// <c>cli:USER</c>) and its role (<c>read</c>, <c>operate</c>, <c>admin</c>), so a client such as the
/// dashboard offers only what the role allows.
/// </summary>
public sealed record WhoAmIResource(string Name, string Role);
