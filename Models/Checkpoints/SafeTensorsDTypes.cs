namespace Dsl.Models.Checkpoints;

/// <summary>
/// The dtype names of the safetensors format and their element sizes, and the subset this
/// library stores (F32, F64, I64). A header is validated with every published dtype, so a file
/// from other tooling (F16, BF16, ...) is checked for consistency before it is refused for its type.
/// </summary>
static class SafeTensorsDTypes
{
    static readonly Dictionary<string, int> Sizes = new(StringComparer.Ordinal)
    {
        ["BOOL"] = 1,
        ["U8"] = 1,
        ["I8"] = 1,
        ["F8_E5M2"] = 1,
        ["F8_E4M3"] = 1,
        ["F8_E8M0"] = 1,
        ["I16"] = 2,
        ["U16"] = 2,
        ["F16"] = 2,
        ["BF16"] = 2,
        ["I32"] = 4,
        ["U32"] = 4,
        ["F32"] = 4,
        ["I64"] = 8,
        ["U64"] = 8,
        ["F64"] = 8,
    };

    /// <summary>Bytes per element of a published dtype, or null for a name the format does not define.</summary>
    public static int? Size(string name) => Sizes.TryGetValue(name, out var size) ? size : null;

    /// <summary>The library's type for a dtype name, or null when this version does not read it.</summary>
    public static DType? Parse(string name) => name switch
    {
        "F32" => DType.Float32,
        "F64" => DType.Float64,
        "I64" => DType.Int64,
        _ => null,
    };

    /// <summary>The dtype name a library type is written as.</summary>
    public static string Name(DType t) => t switch
    {
        DType.Float32 => "F32",
        DType.Float64 => "F64",
        DType.Int64 => "I64",
        _ => throw new NotSupportedException($"Checkpoints do not store {t} yet."),
    };

    /// <summary>Bytes per element of a library type that checkpoints store.</summary>
    public static int Size(DType t) => Size(Name(t))!.Value;
}
