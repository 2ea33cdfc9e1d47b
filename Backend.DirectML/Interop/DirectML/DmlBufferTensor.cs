namespace Dsl.Backend.DirectML.Interop;

/// <summary>Size rules for DML_BUFFER_TENSOR_DESC.</summary>
internal static class DmlBufferTensor
{
    /// <summary>
    /// DMLCalcBufferTensorSize (the helper in DirectMLX.h and onnxruntime's DmlCommon.h, not
    /// exported by DirectML): bytes = roundup((dot(sizes - 1, strides) + 1) · elementSize, 4),
    /// or roundup(product(sizes) · elementSize, 4) when packed (no strides). DirectML requires
    /// every bound buffer's total size to be a multiple of 4, hence the rounding; broadcast
    /// (stride 0) dimensions take no room. Computed in 64 bits throughout, where the C helper
    /// sums the last index in 32 bits (identical below 2^32 elements).
    /// </summary>
    /// <returns>0 for a data type DirectML gives no byte size (UNKNOWN, or the 4-bit types).</returns>
    public static ulong CalcBufferTensorSize(DML_TENSOR_DATA_TYPE dataType, ReadOnlySpan<uint> sizes, ReadOnlySpan<uint> strides = default)
    {
        if (!strides.IsEmpty && strides.Length != sizes.Length)
            throw new ArgumentException($"{strides.Length} strides for {sizes.Length} sizes.", nameof(strides));

        foreach (var size in sizes)
        {
            // DirectML rejects empty dimensions; the C helper would wrap around on (0 - 1).
            if (size == 0)
                throw new ArgumentException("DirectML tensors have no empty dimensions.", nameof(sizes));
        }

        var elementSize = ElementSizeInBytes(dataType);
        if (elementSize == 0)
            return 0;

        ulong bytes;
        if (strides.IsEmpty)
        {
            ulong count = 1;
            foreach (var size in sizes)
                count *= size;
            bytes = count * elementSize;
        }
        else
        {
            ulong indexOfLastElement = 0;
            for (var i = 0; i < sizes.Length; i++)
                indexOfLastElement += (ulong)(sizes[i] - 1) * strides[i];
            bytes = (indexOfLastElement + 1) * elementSize;
        }

        return (bytes + 3) & ~3ul;
    }

    /// <summary>Bytes per element; 0 where a type has no whole-byte size.</summary>
    public static uint ElementSizeInBytes(DML_TENSOR_DATA_TYPE dataType) => dataType switch
    {
        DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT64 or DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT64 or DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT64 => 8,
        DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32 or DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT32 or DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT32 => 4,
        DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT16 or DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT16 or DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT16 => 2,
        DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT8 or DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT8 => 1,
        _ => 0,
    };
}
