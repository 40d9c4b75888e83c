namespace IoTSync.Security;

/// <summary>Writing key and certificate files: never over an existing one, keys owner-only from the moment they exist.</summary>
public static class PemFiles
{
    public static void WriteNew(string path, string pem, bool ownerOnly)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (ownerOnly && !OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using var writer = new StreamWriter(path, System.Text.Encoding.ASCII, options);
            writer.Write(pem);
            if (!pem.EndsWith('\n'))
                writer.Write('\n');
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new IOException($"{path} already exists; not overwritten");
        }
    }
}
