using System.Buffers.Binary;
using System.IO.Compression;

namespace Dsl.Models.Data;

/// <summary>
/// A data file that is missing, unreadable or not what it should be. The message names the file,
/// says what is wrong and how to fix it; command-line tools print it as one line.
/// </summary>
public sealed class DataFileException : Exception
{
    /// <summary>Creates the exception for a file (or directory) path.</summary>
    public DataFileException(string path, string message, Exception? inner = null) : base(message, inner) => Path = path;

    /// <summary>The file or directory the problem is about.</summary>
    public string Path { get; }
}

/// <summary>An IDX image file's content: <see cref="Count"/> images of <see cref="Rows"/>×<see cref="Cols"/> bytes, row-major.</summary>
/// <param name="Pixels">Count·Rows·Cols pixel bytes (0 = background, 255 = ink), image after image.</param>
/// <param name="Count">Number of images.</param>
/// <param name="Rows">Image height.</param>
/// <param name="Cols">Image width.</param>
public sealed record IdxImages(byte[] Pixels, int Count, int Rows, int Cols);

/// <summary>
/// Reads the IDX files of MNIST and Fashion-MNIST (big-endian header, then unsigned bytes), gzip
/// compressed or raw; compression is detected from the content, not the name. Images have magic
/// 2051 (0x00000803, three dimensions), labels 2049 (0x00000801, one dimension).
/// </summary>
public static class IdxReader
{
    /// <summary>Magic number of an IDX file of unsigned-byte images [N, rows, cols].</summary>
    public const int ImagesMagic = 2051;

    /// <summary>Magic number of an IDX file of unsigned-byte labels [N].</summary>
    public const int LabelsMagic = 2049;

    /// <summary>The advice appended to every error about a damaged file.</summary>
    public static string FixHint { get; } =
        "Re-copy the file from /usr/share/datasets/fashion-mnist (or download it again from " +
        "https://github.com/zalandoresearch/fashion-mnist).";

    /// <summary>Reads an image file (magic 2051).</summary>
    /// <exception cref="DataFileException">The file is missing, truncated, corrupt or not an image file.</exception>
    public static IdxImages ReadImages(string path)
    {
        var bytes = ReadAll(path);
        var header = Header(path, bytes, ImagesMagic, "images", dims: 3);
        int count = header[0], rows = header[1], cols = header[2];
        if (rows == 0 || cols == 0)
            throw Broken(path, $"its header declares {count} images of {rows}x{cols} pixels; images cannot be empty.");
        string what = $"{count} images of {rows}x{cols} pixels";
        // Checked: three int dimensions can multiply past int64 and wrap to the size of the payload.
        long size = (long)count * rows <= long.MaxValue / cols ? (long)count * rows * cols
            : throw Broken(path, $"its header declares {what}, more bytes than a file holds: the header is corrupt.");
        var pixels = Payload(path, bytes, 16, size, what);
        return new IdxImages(pixels, count, rows, cols);
    }

    /// <summary>Reads a label file (magic 2049).</summary>
    /// <exception cref="DataFileException">The file is missing, truncated, corrupt or not a label file.</exception>
    public static byte[] ReadLabels(string path)
    {
        var bytes = ReadAll(path);
        int count = Header(path, bytes, LabelsMagic, "labels", dims: 1)[0];
        return Payload(path, bytes, 8, count, $"{count} labels");
    }

    /// <summary>The whole file, decompressed when it starts with the gzip signature.</summary>
    static byte[] ReadAll(string path)
    {
        if (!File.Exists(path))
            throw new DataFileException(path, $"Data file '{path}' does not exist. " +
                (Directory.Exists(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)))
                    ? "The folder exists but this file is missing. " : "Its folder does not exist either. ") + FixHint);
        byte[] raw;
        try
        {
            raw = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFileException(path, $"Cannot read data file '{path}': {e.Message}", e);
        }
        if (raw.Length < 2 || raw[0] != 0x1f || raw[1] != 0x8b)
        {
            if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) && raw.Length >= 4 && BinaryPrimitives.ReadInt32BigEndian(raw) is not (ImagesMagic or LabelsMagic))
                throw Broken(path, "its name ends in .gz but it is not gzip data (no 1f 8b signature).");
            return raw;
        }
        try
        {
            // The gzip trailer's ISIZE (uncompressed size mod 2^32) sizes the buffer when plausible.
            uint isize = raw.Length >= 18 ? BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(raw.Length - 4)) : 0;
            int capacity = isize > 0 && isize <= Math.Min((long)raw.Length * 64, Array.MaxLength) ? (int)isize : (int)Math.Min((long)raw.Length * 4, Array.MaxLength);
            using var gz = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            using var output = new MemoryStream(capacity);
            gz.CopyTo(output);
            // A gzip stream cut short decompresses without an error; its last 4 bytes are then not the
            // real trailer, whose ISIZE (the decompressed length mod 2^32) no longer matches.
            if (raw.Length >= 18 && (uint)output.Length != isize)
                throw Broken(path, $"the gzip data is truncated or corrupt: it decompresses to {output.Length} bytes but its trailer records {isize} " +
                    "(the download or copy was cut short).");
            return output.Length == output.Capacity ? output.GetBuffer() : output.ToArray();
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw Broken(path, $"the gzip data is corrupt or truncated ({e.Message}).", e);
        }
    }

    /// <summary>Validates the magic number and returns the dimensions.</summary>
    static int[] Header(string path, byte[] bytes, int magic, string what, int dims)
    {
        int headerSize = 4 + 4 * dims;
        if (bytes.Length < headerSize)
            throw Broken(path, $"it holds {bytes.Length} bytes, fewer than the {headerSize}-byte IDX {what} header.");
        int found = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (found != magic)
        {
            string hint = found switch
            {
                ImagesMagic => " (that is an image file: were the images and labels files swapped?)",
                LabelsMagic => " (that is a label file: were the images and labels files swapped?)",
                _ => "",
            };
            throw Broken(path, $"its magic number is {found} (0x{found:x8}) but an IDX {what} file starts with {magic} (0x{magic:x8}){hint}.");
        }
        var result = new int[dims];
        for (int d = 0; d < dims; d++)
        {
            result[d] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * d));
            if (result[d] < 0) throw Broken(path, $"its header declares a negative size ({result[d]}) for dimension {d}.");
        }
        return result;
    }

    /// <summary>The bytes after the header, checking there are exactly as many as declared.</summary>
    static byte[] Payload(string path, byte[] bytes, int offset, long expected, string what)
    {
        long actual = bytes.Length - offset;
        if (actual < expected)
            throw Broken(path, $"it is truncated: the header declares {what} ({expected} bytes after the header) but only {actual} are present.");
        if (actual > expected)
            throw Broken(path, $"it has {actual - expected} unexpected trailing bytes after {what}.");
        return bytes.AsSpan(offset).ToArray();
    }

    static DataFileException Broken(string path, string problem, Exception? inner = null) =>
        new(path, $"Data file '{path}' is not a valid IDX file: {problem} {FixHint}", inner);
}
