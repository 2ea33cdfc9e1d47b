using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dsl.Models.Checkpoints;

/// <summary>A checkpoint file that cannot be read: names the file, the problem and what to do.</summary>
public sealed class CheckpointException(string path, string problem, Exception? inner = null)
    : Exception($"Checkpoint '{path}' {problem}", inner)
{
    /// <summary>The file.</summary>
    public string Path { get; } = path;
}

/// <summary>
/// Reads and writes the safetensors format (8-byte little-endian header length, a JSON header of
/// name → {dtype, shape, data_offsets} plus "__metadata__", then raw little-endian data), so
/// checkpoints open in PyTorch/timm tooling. Writes are atomic: a temporary file in the same
/// folder is flushed and then renamed over the target, so an interrupted save never leaves a
/// half-written checkpoint or destroys the previous one.
/// </summary>
public static class SafeTensors
{
    const string MetadataKey = "__metadata__";

    /// <summary>Writes tensors (sorted by name) and string metadata to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, HostTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal)) meta[k] = v;
            header[MetadataKey] = meta;
        }
        long offset = 0;
        var ordered = tensors.OrderBy(p => p.Key, StringComparer.Ordinal).ToArray();
        foreach (var (name, t) in ordered)
        {
            if (name == MetadataKey) throw new ArgumentException($"'{MetadataKey}' is reserved and cannot name a tensor.");
            long size = t.Shape.Numel * ElementSize(t.DType);
            header[name] = new JsonObject
            {
                ["dtype"] = DTypeName(t.DType),
                ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + size),
            };
            offset += size;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;   // keep the data 8-byte aligned

        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var f = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
                f.Write(length);
                f.Write(json);
                for (int i = json.Length; i < padded; i++) f.WriteByte((byte)' ');
                foreach (var (_, t) in ordered) WriteData(f, t);
                f.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            if (File.Exists(temp)) File.Delete(temp);
            throw;
        }
    }

    /// <summary>Reads every tensor and the metadata, validating the header against the file.</summary>
    public static (Dictionary<string, HostTensor> Tensors, Dictionary<string, string> Metadata) Load(string path)
    {
        if (!File.Exists(path)) throw new CheckpointException(path, "does not exist: check the --resume/--checkpoint path.");
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8) throw new CheckpointException(path, $"is {bytes.Length} bytes, too short for a safetensors header: the file is truncated or not a checkpoint.");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8))
            throw new CheckpointException(path, $"declares a {headerLength}-byte header but holds {bytes.Length} bytes: the file is truncated or corrupt; use an earlier checkpoint.");
        JsonObject header;
        try
        {
            header = JsonNode.Parse(bytes.AsSpan(8, (int)headerLength))?.AsObject() ?? throw new JsonException("empty header");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new CheckpointException(path, $"has an unreadable header ({e.Message}): the file is corrupt; use an earlier checkpoint.", e);
        }
        long dataStart = 8 + (long)headerLength, dataLength = bytes.Length - dataStart;
        var tensors = new Dictionary<string, HostTensor>();
        var metadata = new Dictionary<string, string>();
        try
        {
            foreach (var (name, node) in header)
            {
                if (name == MetadataKey)
                {
                    foreach (var (k, v) in node!.AsObject()) metadata[k] = v!.GetValue<string>();
                    continue;
                }
                var entry = node!.AsObject();
                var dtype = ParseDType(entry["dtype"]!.GetValue<string>(), path, name);
                var shape = new Shape(entry["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray());
                var offsets = entry["data_offsets"]!.AsArray().Select(o => o!.GetValue<long>()).ToArray();
                long expected = shape.Numel * ElementSize(dtype);
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength || offsets[1] - offsets[0] != expected)
                    throw new CheckpointException(path, $"has inconsistent offsets for '{name}' ({string.Join(",", offsets)} for {expected} bytes in a {dataLength}-byte buffer): the file is corrupt.");
                tensors[name] = ReadData(bytes.AsSpan((int)(dataStart + offsets[0]), (int)expected), shape, dtype);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException or ArgumentException)
        {
            throw new CheckpointException(path, $"has a malformed header entry ({e.Message}): the file is corrupt.", e);
        }
        return (tensors, metadata);
    }

    static int ElementSize(DType t) => t switch
    {
        DType.Float32 => 4,
        DType.Float64 or DType.Int64 => 8,
        _ => throw new NotSupportedException($"Checkpoints do not store {t} yet."),
    };

    static string DTypeName(DType t) => t switch
    {
        DType.Float32 => "F32",
        DType.Float64 => "F64",
        DType.Int64 => "I64",
        _ => throw new NotSupportedException($"Checkpoints do not store {t} yet."),
    };

    static DType ParseDType(string name, string path, string tensor) => name switch
    {
        "F32" => DType.Float32,
        "F64" => DType.Float64,
        "I64" => DType.Int64,
        _ => throw new CheckpointException(path, $"stores '{tensor}' as {name}, which this version reads only as F32, F64 or I64."),
    };

    static void WriteData(Stream s, HostTensor t) => s.Write(t.AsBytes());

    static HostTensor ReadData(ReadOnlySpan<byte> data, Shape shape, DType dtype) => HostTensor.FromBytes(new TensorType(shape, dtype), data);
}
