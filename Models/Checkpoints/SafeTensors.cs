using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Dsl.Execution;

namespace Dsl.Models.Checkpoints;

/// <summary>
/// Reads and writes the safetensors format (8-byte little-endian header length, a JSON header of
/// name → {dtype, shape, data_offsets} plus "__metadata__", then raw little-endian data), so
/// checkpoints open in PyTorch/timm tooling. Writes are atomic: a temporary file in the same
/// folder is flushed and then renamed over the target, so an interrupted save never leaves a
/// half-written checkpoint or destroys the previous one.
/// </summary>
public static class SafeTensors
{
    const string MetadataKey = SafeTensorsHeader.MetadataKey;

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
            long size = t.Shape.Numel * SafeTensorsDTypes.Size(t.DType);
            header[name] = new JsonObject
            {
                ["dtype"] = SafeTensorsDTypes.Name(t.DType),
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
                foreach (var (_, t) in ordered) f.Write(t.AsBytes());
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

    /// <summary>
    /// Reads every tensor and the metadata, validating the header against the file first (see
    /// <see cref="SafeTensorsHeader"/>). Tensors are read one by one from the file, so files over 2 GiB load.
    /// To read some tensors only, use <see cref="SafeTensorsFile"/>.
    /// </summary>
    /// <exception cref="CheckpointException">The file is missing, malformed or holds a dtype this version does not read.</exception>
    public static (Dictionary<string, HostTensor> Tensors, Dictionary<string, string> Metadata) Load(string path)
    {
        using var file = SafeTensorsFile.Open(path);
        return (file.ReadAll(), new Dictionary<string, string>(file.Header.Metadata, StringComparer.Ordinal));
    }
}
