namespace Dsl.Backend.DirectML.Interop;

// DirectML.h tensor descriptions (source in DmlEnums.cs); sizes and offsets pinned by
// Tests/DirectML/DirectMLFactsTests. Pointers are raw: these structs are built in pinned or
// native memory for the lifetime of a CreateOperator/CompileGraph call.

internal unsafe struct DML_BUFFER_TENSOR_DESC
{
    public DML_TENSOR_DATA_TYPE DataType;
    public DML_TENSOR_FLAGS Flags;
    public uint DimensionCount;
    public uint* Sizes;

    /// <summary>Null means packed, row-major.</summary>
    public uint* Strides;

    public ulong TotalTensorSizeInBytes;
    public uint GuaranteedBaseOffsetAlignment;
}

internal unsafe struct DML_TENSOR_DESC
{
    public DML_TENSOR_TYPE Type;

    /// <summary>A DML_BUFFER_TENSOR_DESC* for DML_TENSOR_TYPE_BUFFER (the only type).</summary>
    public void* Desc;
}
