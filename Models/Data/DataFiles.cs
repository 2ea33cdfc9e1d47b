namespace Dsl.Models.Data;

/// <summary>Shared file handling for the binary readers: missing files, read errors, sizes.</summary>
static class DataFiles
{
    /// <summary>The whole file, or a <see cref="DataFileException"/> naming it and the fix.</summary>
    public static byte[] ReadAll(string path, string fix)
    {
        if (!File.Exists(path))
            throw new DataFileException(path, $"Data file '{path}' does not exist. " +
                (Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(path)))
                    ? "The folder exists but this file is missing. " : "Its folder does not exist either. ") + fix);
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFileException(path, $"Cannot read data file '{path}': {e.Message} {fix}", e);
        }
    }

    /// <summary>Checks that a file of fixed-size records holds a whole, non-zero number of them.</summary>
    public static int RecordCount(string path, long length, int recordSize, string what, string fix)
    {
        if (length == 0)
            throw new DataFileException(path, $"Data file '{path}' is empty; it should hold {what} records of {recordSize} bytes. {fix}");
        if (length % recordSize != 0)
            throw new DataFileException(path,
                $"Data file '{path}' is truncated or not a {what} file: its {length} bytes are not a whole number of {recordSize}-byte records " +
                $"({length / recordSize} records and {length % recordSize} bytes left over). {fix}");
        return checked((int)(length / recordSize));
    }

    /// <summary>The folder itself, or its conventional sub-folder when that holds <paramref name="probe"/>.</summary>
    public static string Locate(string directory, string subfolder, string probe)
    {
        if (File.Exists(Path.Combine(directory, probe))) return directory;
        string nested = Path.Combine(directory, subfolder);
        return File.Exists(Path.Combine(nested, probe)) ? nested : directory;
    }

    /// <summary>Class names from a text file (one per line) when present, else the defaults.</summary>
    public static IReadOnlyList<string> ClassNames(string path, IReadOnlyList<string> defaults)
    {
        if (!File.Exists(path)) return defaults;
        var names = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        return names.Length == defaults.Count ? names : defaults;
    }
}
