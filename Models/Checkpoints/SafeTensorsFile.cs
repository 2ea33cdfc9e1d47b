using System.Runtime.InteropServices;
using Dsl.Execution;
using Microsoft.Win32.SafeHandles;

namespace Dsl.Models.Checkpoints;

/// <summary>
/// An open safetensors file: the validated header, and each tensor read on demand straight from
/// its offset in the file into the tensor's own array (no whole-file buffer), so files past 2 GiB
/// read and one tensor can be read without the others.
/// </summary>
public sealed class SafeTensorsFile : IDisposable
{
    // Reads go in slices well under the 2 GiB a span can address.
    const int ChunkBytes = 1 << 28;

    readonly SafeFileHandle file;

    SafeTensorsFile(string path, SafeFileHandle file, SafeTensorsHeader header)
    {
        Path = path;
        this.file = file;
        Header = header;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The validated header: tensor entries and metadata.</summary>
    public SafeTensorsHeader Header { get; }

    /// <summary>Opens <paramref name="path"/> and validates its header against its size.</summary>
    /// <exception cref="CheckpointException">The file is missing, unreadable or its header is malformed.</exception>
    public static SafeTensorsFile Open(string path)
    {
        if (!File.Exists(path)) throw new CheckpointException(path, "does not exist: check the --resume/--checkpoint path.");
        SafeFileHandle? handle = null;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var header = SafeTensorsHeader.Read(path, handle, RandomAccess.GetLength(handle));
            return new SafeTensorsFile(path, handle, header);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            handle?.Dispose();
            throw new CheckpointException(path, $"cannot be read ({e.Message}).", e);
        }
        catch
        {
            handle?.Dispose();
            throw;
        }
    }

    /// <summary>Reads one tensor.</summary>
    /// <exception cref="CheckpointException">Its dtype is not one this version stores, it is too large for one array, or the file changed under the reader.</exception>
    public HostTensor Read(SafeTensorsEntry entry)
    {
        var dtype = SafeTensorsDTypes.Parse(entry.DType)
            ?? throw new CheckpointException(Path, $"stores '{entry.Name}' as {entry.DType}, which this version reads only as F32, F64 or I64: convert it (e.g. tensor.float() in PyTorch) and save again.");
        if (entry.Shape.Any(d => d > int.MaxValue) || entry.Shape.Aggregate(1L, (a, b) => a * b) > Array.MaxLength)
            throw new CheckpointException(Path, $"holds '{entry.Name}' of shape {entry.ShapeText}, more elements than one array holds ({Array.MaxLength}): split the tensor.");
        var shape = new Shape([.. entry.Shape.Select(d => (int)d)]);
        int count = (int)shape.Numel;
        HostTensor tensor = dtype switch
        {
            DType.Float32 => HostTensor.F32(shape, Fill(entry, new float[count])),
            DType.Float64 => HostTensor.F64(shape, Fill(entry, new double[count])),
            _ => HostTensor.I64(shape, Fill(entry, new long[count])),
        };
        return tensor;
    }

    /// <summary>Reads every tensor, by name in the header's order.</summary>
    public Dictionary<string, HostTensor> ReadAll() => Header.Tensors.ToDictionary(e => e.Name, Read, StringComparer.Ordinal);

    /// <summary>Fills <paramref name="values"/> with the tensor's little-endian bytes, slice by slice.</summary>
    T[] Fill<T>(SafeTensorsEntry entry, T[] values) where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Big-endian hosts are not supported.");
        int size = Marshal.SizeOf<T>(), perChunk = ChunkBytes / size;
        long offset = Header.DataStart + entry.Begin;
        try
        {
            for (int start = 0; start < values.Length; start += perChunk)
            {
                var bytes = MemoryMarshal.AsBytes(values.AsSpan(start, Math.Min(perChunk, values.Length - start)));
                while (bytes.Length > 0)
                {
                    int read = RandomAccess.Read(file, bytes, offset);
                    if (read == 0)
                        throw new CheckpointException(Path, $"ended at byte {offset} while '{entry.Name}' was read: the file was truncated while being read.");
                    bytes = bytes[read..];
                    offset += read;
                }
            }
        }
        catch (IOException e)
        {
            throw new CheckpointException(Path, $"could not be read at '{entry.Name}' ({e.Message}).", e);
        }
        return values;
    }

    /// <inheritdoc/>
    public void Dispose() => file.Dispose();
}
