using Dsl.Execution;
namespace Dsl.Backend.DirectML.Runtime;

/// <summary>Host tensors as the little-endian bytes of a packed device buffer (float32 and int64).</summary>
internal static class HostTensorBytes
{
    /// <summary>Bytes per element of the dtypes the runtime moves.</summary>
    public static int ElementSize(DType dtype) => dtype switch
    {
        DType.Float32 => sizeof(float),
        DType.Int64 => sizeof(long),
        _ => throw new NotSupportedException($"The DirectML backend moves float32 and int64 tensors only, not {dtype}."),
    };

    /// <summary>Packed bytes of the tensor's elements.</summary>
    public static ReadOnlySpan<byte> ToBytes(HostTensor tensor)
    {
        ElementSize(tensor.DType);
        return tensor.AsBytes();
    }

    /// <summary>A host tensor of <paramref name="type"/> from packed bytes.</summary>
    public static HostTensor FromBytes(TensorType type, ReadOnlySpan<byte> bytes)
    {
        ElementSize(type.DType);
        return HostTensor.FromBytes(type, bytes);
    }

    /// <summary>
    /// The buffer size of a packed tensor: what DirectML's <c>DMLCalcBufferTensorSize</c> gives
    /// (element bytes rounded up to 4), which is what every bound range must at least hold.
    /// </summary>
    public static ulong BufferSize(TensorType type) => (ulong)((Math.Max(type.Shape.Numel, 1) * ElementSize(type.DType) + 3) & ~3L);

    /// <summary>Bytes the tensor's elements occupy (no rounding).</summary>
    public static int ByteCount(TensorType type) => checked((int)(type.Shape.Numel * ElementSize(type.DType)));
}
