namespace Dsl;

/// <summary>Element type of a symbolic tensor.</summary>
public enum DType
{
    /// <summary>32-bit float: training.</summary>
    Float32,
    /// <summary>64-bit float: gradient checks.</summary>
    Float64,
    /// <summary>64-bit signed integer: indices, labels, seeds.</summary>
    Int64,
    /// <summary>16-bit brain float (reserved for mixed precision).</summary>
    BFloat16,
    /// <summary>16-bit IEEE float (reserved for mixed precision).</summary>
    Float16,
}

/// <summary>Helpers on <see cref="DType"/>.</summary>
public static class DTypeExtensions
{
    /// <summary>True for the floating-point types, the only ones that carry gradients.</summary>
    public static bool IsFloat(this DType t) => t != DType.Int64;

    /// <summary>Short name used by the IR printer (f32, f64, i64, bf16, f16).</summary>
    public static string ShortName(this DType t) => t switch
    {
        DType.Float32 => "f32",
        DType.Float64 => "f64",
        DType.Int64 => "i64",
        DType.BFloat16 => "bf16",
        DType.Float16 => "f16",
        _ => t.ToString(),
    };
}
