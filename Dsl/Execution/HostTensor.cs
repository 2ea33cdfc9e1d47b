namespace Dsl.Execution;

/// <summary>
/// Concrete data on the host: a shape, an element type and a flat row-major array
/// (float[] for f32, double[] for f64, long[] for i64). The backend-neutral currency for
/// constants, inputs, outputs and checkpoints.
/// </summary>
public sealed class HostTensor
{
    HostTensor(Shape shape, DType dtype, Array data)
    {
        if (data.Length != shape.Numel)
            throw new ArgumentException($"{dtype.ShortName()}{shape} needs {shape.Numel} elements, got {data.Length}.");
        Shape = shape;
        DType = dtype;
        Data = data;
    }

    /// <summary>Shape of the data.</summary>
    public Shape Shape { get; }
    /// <summary>Element type.</summary>
    public DType DType { get; }
    /// <summary>The flat row-major array (float[], double[] or long[]).</summary>
    public Array Data { get; }

    /// <summary>Wraps float data.</summary>
    public static HostTensor F32(Shape shape, float[] data) => new(shape, DType.Float32, data);
    /// <summary>Wraps double data.</summary>
    public static HostTensor F64(Shape shape, double[] data) => new(shape, DType.Float64, data);
    /// <summary>Wraps int64 data.</summary>
    public static HostTensor I64(Shape shape, long[] data) => new(shape, DType.Int64, data);

    /// <summary>A tensor filled with one value.</summary>
    public static HostTensor Filled(Shape shape, DType dtype, double value)
    {
        int n = checked((int)shape.Numel);
        return dtype switch
        {
            DType.Float32 => F32(shape, Enumerable.Repeat((float)value, n).ToArray()),
            DType.Float64 => F64(shape, Enumerable.Repeat(value, n).ToArray()),
            DType.Int64 => I64(shape, Enumerable.Repeat((long)value, n).ToArray()),
            _ => throw new NotSupportedException($"HostTensor does not store {dtype} yet."),
        };
    }

    /// <summary>Element i (flat index) as a double.</summary>
    public double this[long i] => Data switch
    {
        float[] f => f[i],
        double[] d => d[i],
        long[] l => l[i],
        _ => throw new InvalidOperationException(),
    };

    /// <summary>All elements as doubles.</summary>
    public double[] ToDoubles() => Data switch
    {
        float[] f => f.Select(v => (double)v).ToArray(),
        double[] d => (double[])d.Clone(),
        long[] l => l.Select(v => (double)v).ToArray(),
        _ => throw new InvalidOperationException(),
    };

    /// <summary>The single element of a one-element tensor.</summary>
    public double ToScalar() => Shape.Numel == 1 ? this[0] : throw new InvalidOperationException($"ToScalar() needs one element, the tensor is {Shape}.");

    /// <summary>The elements as packed little-endian bytes (a view of <see cref="Data"/>, no copy).</summary>
    /// <exception cref="PlatformNotSupportedException">A big-endian host.</exception>
    public ReadOnlySpan<byte> AsBytes()
    {
        RequireLittleEndian();
        return Data switch
        {
            float[] f => System.Runtime.InteropServices.MemoryMarshal.AsBytes(f.AsSpan()),
            double[] d => System.Runtime.InteropServices.MemoryMarshal.AsBytes(d.AsSpan()),
            long[] l => System.Runtime.InteropServices.MemoryMarshal.AsBytes(l.AsSpan()),
            _ => throw new InvalidOperationException(),
        };
    }

    /// <summary>A tensor of <paramref name="type"/> from its packed little-endian bytes.</summary>
    /// <exception cref="PlatformNotSupportedException">A big-endian host.</exception>
    public static HostTensor FromBytes(TensorType type, ReadOnlySpan<byte> bytes)
    {
        RequireLittleEndian();
        return type.DType switch
        {
            DType.Float32 => F32(type.Shape, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray()),
            DType.Float64 => F64(type.Shape, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(bytes).ToArray()),
            DType.Int64 => I64(type.Shape, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(bytes).ToArray()),
            _ => throw new NotSupportedException($"HostTensor does not store {type.DType} yet."),
        };
    }

    // Byte views reinterpret the arrays; x86 and ARM hosts are little-endian like every format read here.
    static void RequireLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Big-endian hosts are not supported.");
    }

    /// <summary>Type of this data as a <see cref="TensorType"/>.</summary>
    public TensorType Type => new(Shape, DType);

    /// <inheritdoc/>
    public override string ToString() => $"HostTensor {Type}";
}
