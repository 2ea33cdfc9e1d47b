using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Win32.SafeHandles;

namespace Dsl.Models.Checkpoints;

/// <summary>One tensor of a validated safetensors header.</summary>
/// <param name="Name">The tensor's name.</param>
/// <param name="DType">The safetensors dtype name (F32, BF16, ...).</param>
/// <param name="Shape">The dimensions, as stored (they may exceed what one array holds).</param>
/// <param name="Begin">First byte in the data buffer.</param>
/// <param name="End">One past the last byte in the data buffer.</param>
public sealed record SafeTensorsEntry(string Name, string DType, IReadOnlyList<long> Shape, long Begin, long End)
{
    /// <summary>The shape as text, e.g. [2,3].</summary>
    public string ShapeText => $"[{string.Join(",", Shape)}]";
}

/// <summary>
/// The header of a safetensors file, checked as the format's reference reader checks it: a length
/// of 2 bytes to 100 MB that fits the file, UTF-8 JSON starting with '{', no duplicate keys, known
/// dtypes, element counts without overflow, and offsets that give each tensor exactly dtype × shape
/// bytes and cover the data buffer exactly once, without gaps or overlaps; metadata values are strings.
/// Any violation is a <see cref="CheckpointException"/> naming the file, the tensor and the problem.
/// </summary>
public sealed class SafeTensorsHeader
{
    /// <summary>The largest header the reference reader accepts.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>The key of the string-to-string metadata object.</summary>
    public const string MetadataKey = "__metadata__";

    SafeTensorsHeader(IReadOnlyList<SafeTensorsEntry> tensors, IReadOnlyDictionary<string, string> metadata, long dataStart)
    {
        Tensors = tensors;
        Metadata = metadata;
        DataStart = dataStart;
    }

    /// <summary>The tensors, in the header's order.</summary>
    public IReadOnlyList<SafeTensorsEntry> Tensors { get; }

    /// <summary>The metadata (empty when the header has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>File offset of the data buffer (8 + header length).</summary>
    public long DataStart { get; }

    /// <summary>Reads and validates the header of an open file of <paramref name="fileLength"/> bytes.</summary>
    /// <exception cref="CheckpointException">The header is malformed or does not fit the file.</exception>
    public static SafeTensorsHeader Read(string path, SafeFileHandle file, long fileLength)
    {
        if (fileLength < 8)
            throw Fail(path, $"is {fileLength} bytes, too short for the 8-byte header length of a safetensors file: the file is truncated or not a checkpoint.");
        Span<byte> prefix = stackalloc byte[8];
        RandomAccess.Read(file, prefix, 0);
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (length > MaxHeaderBytes)
            throw Fail(path, $"declares a {length}-byte header, over the 100 MB the format allows: the file is corrupt or not a safetensors file.");
        if (length < 2)
            throw Fail(path, $"declares a {length}-byte header, under the 2 bytes of the smallest one ('{{}}'): the file is corrupt or not a safetensors file.");
        if ((long)length > fileLength - 8)
            throw Fail(path, $"declares a {length}-byte header but holds {fileLength} bytes: the file is truncated or corrupt; use an earlier checkpoint.");
        var json = new byte[length];
        if (RandomAccess.Read(file, json, 8) != json.Length)
            throw Fail(path, "ended while its header was read: the file was truncated while being read.");
        long dataStart = 8 + (long)length;
        return Parse(path, json, dataStart, fileLength - dataStart);
    }

    /// <summary>Validates header bytes against a data buffer of <paramref name="dataLength"/> bytes.</summary>
    static SafeTensorsHeader Parse(string path, byte[] json, long dataStart, long dataLength)
    {
        var chars = new char[json.Length];
        if (Utf8.ToUtf16(json, chars, out int valid, out _, replaceInvalidSequences: false) != OperationStatus.Done)
            throw Fail(path, $"has a header that is not valid UTF-8 (at file offset {8 + valid}): the file is corrupt or not a safetensors file.");
        if (json[0] != (byte)'{')
            throw Fail(path, $"has a header that does not start with '{{' (it starts with '{(char)json[0]}'): the file is not a safetensors file.");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw Fail(path, $"has a header that is not valid JSON ({e.Message}): the file is corrupt; use an earlier checkpoint.", e);
        }
        using (document)
        {
            var tensors = new List<SafeTensorsEntry>();
            IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>();
            foreach (var (name, value) in Properties(path, document.RootElement, "its header"))
            {
                if (name == MetadataKey) metadata = ParseMetadata(path, value);
                else tensors.Add(Entry(path, name, value, dataLength));
            }
            CheckCoverage(path, tensors, dataLength);
            return new SafeTensorsHeader(tensors, metadata, dataStart);
        }
    }

    /// <summary>An object's properties, refusing a name given twice (JSON parsers disagree on which one wins).</summary>
    static List<(string Name, JsonElement Value)> Properties(string path, JsonElement element, string where)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<(string, JsonElement)>();
        foreach (var p in element.EnumerateObject())
        {
            if (!seen.Add(p.Name))
                throw Fail(path, $"names '{p.Name}' twice in {where}: a header must not repeat a key; the file is corrupt.");
            result.Add((p.Name, p.Value));
        }
        return result;
    }

    static Dictionary<string, string> ParseMetadata(string path, JsonElement element)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (element.ValueKind == JsonValueKind.Null) return metadata;
        if (element.ValueKind != JsonValueKind.Object)
            throw Fail(path, $"has a '{MetadataKey}' that is {Kind(element)}, not an object of strings.");
        foreach (var (key, value) in Properties(path, element, $"'{MetadataKey}'"))
            metadata[key] = value.ValueKind == JsonValueKind.String ? value.GetString()!
                : throw Fail(path, $"has metadata '{key}' that is {Kind(value)}, not a string: safetensors metadata maps strings to strings.");
        return metadata;
    }

    static SafeTensorsEntry Entry(string path, string name, JsonElement element, long dataLength)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw Fail(path, $"describes tensor '{name}' with {Kind(element)}, not an object with dtype, shape and data_offsets.");
        var fields = Properties(path, element, $"tensor '{name}'").ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        JsonElement Field(string key, JsonValueKind kind) =>
            fields.TryGetValue(key, out var v) && v.ValueKind == kind ? v
                : throw Fail(path, $"gives tensor '{name}' {(fields.TryGetValue(key, out var w) ? $"a '{key}' that is {Kind(w)}" : $"no '{key}'")}; it needs {(kind == JsonValueKind.String ? "a string" : "an array")}.");

        string dtype = Field("dtype", JsonValueKind.String).GetString()!;
        int size = SafeTensorsDTypes.Size(dtype)
            ?? throw Fail(path, $"stores tensor '{name}' with unknown dtype '{dtype}': safetensors defines BOOL, U8, I8, F8_E5M2, F8_E4M3, F8_E8M0, I16, U16, F16, BF16, I32, U32, F32, I64, U64 and F64.");
        var shape = Field("shape", JsonValueKind.Array).EnumerateArray()
            .Select(d => Integer(d) is long n and >= 0 ? n : throw Fail(path, $"gives tensor '{name}' a shape with {Kind(d)} where a dimension (an integer >= 0) belongs."))
            .ToArray();
        var entry = Offsets(path, name, Field("data_offsets", JsonValueKind.Array), dtype, shape);
        long bytes;
        try
        {
            bytes = checked(shape.Aggregate(1L, (a, b) => a * b) * size);
        }
        catch (OverflowException)
        {
            throw Fail(path, $"gives tensor '{name}' shape {entry.ShapeText} of {dtype}, whose size overflows 64 bits: the header is corrupt.");
        }
        if (entry.End > dataLength)
            throw Fail(path, $"places tensor '{name}' at bytes {entry.Begin}..{entry.End}, past the end of the {dataLength}-byte data buffer: the file is truncated; use an earlier checkpoint.");
        if (entry.End - entry.Begin != bytes)
            throw Fail(path, $"gives tensor '{name}' {entry.End - entry.Begin} bytes ({entry.Begin}..{entry.End}) but its dtype and shape ({dtype} {entry.ShapeText}) need {bytes}: the header is corrupt.");
        return entry;
    }

    static SafeTensorsEntry Offsets(string path, string name, JsonElement offsets, string dtype, long[] shape)
    {
        var values = offsets.EnumerateArray().Select(Integer).ToArray();
        if (values.Length != 2 || values.Any(v => v is null))
            throw Fail(path, $"gives tensor '{name}' data_offsets {offsets.GetRawText()}; they must be two integers [begin, end].");
        long begin = values[0]!.Value, end = values[1]!.Value;
        if (begin < 0 || end < 0)
            throw Fail(path, $"gives tensor '{name}' negative data_offsets [{begin},{end}]: the header is corrupt.");
        if (end < begin)
            throw Fail(path, $"gives tensor '{name}' reversed data_offsets [{begin},{end}] (end before begin): the header is corrupt.");
        return new SafeTensorsEntry(name, dtype, shape, begin, end);
    }

    /// <summary>Each byte of the data buffer belongs to exactly one tensor.</summary>
    static void CheckCoverage(string path, List<SafeTensorsEntry> tensors, long dataLength)
    {
        long covered = 0;
        SafeTensorsEntry? previous = null;
        foreach (var t in tensors.OrderBy(t => t.Begin).ThenBy(t => t.End))
        {
            if (t.Begin < covered)
                throw Fail(path, $"gives tensors '{previous!.Name}' (bytes {previous.Begin}..{previous.End}) and '{t.Name}' (bytes {t.Begin}..{t.End}) overlapping data: each byte belongs to one tensor; the header is corrupt.");
            if (t.Begin > covered)
                throw Fail(path, $"leaves bytes {covered}..{t.Begin} of the data buffer to no tensor (before '{t.Name}'): the header is corrupt.");
            covered = t.End;
            previous = t;
        }
        if (covered != dataLength)
            throw Fail(path, $"has a {dataLength}-byte data buffer but its tensors cover {covered} bytes: {dataLength - covered} bytes at the end belong to no tensor; the file is corrupt.");
    }

    static long? Integer(JsonElement e) => e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var v) ? v : null;

    static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string {e.GetRawText()}",
        JsonValueKind.Number => $"the number {e.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {e.GetRawText()}",
        _ => "null",
    };

    static CheckpointException Fail(string path, string problem, Exception? inner = null) => new(path, problem, inner);
}
