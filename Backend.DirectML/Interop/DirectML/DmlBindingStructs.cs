namespace Dsl.Backend.DirectML.Interop;

// DirectML.h binding structs (source in DmlEnums.cs); layouts pinned by
// Tests/DirectML/DirectMLFactsTests.

internal unsafe struct DML_BINDING_TABLE_DESC
{
    /// <summary>A raw IDMLDispatchable* (compiled operator or initializer).</summary>
    public void* Dispatchable;

    public D3D12_CPU_DESCRIPTOR_HANDLE CPUDescriptorHandle;
    public D3D12_GPU_DESCRIPTOR_HANDLE GPUDescriptorHandle;
    public uint SizeInDescriptors;
}

/// <summary>What a dispatchable needs bound: descriptors and the two scratch buffers.</summary>
internal struct DML_BINDING_PROPERTIES
{
    public uint RequiredDescriptorCount;
    public ulong TemporaryResourceSize;
    public ulong PersistentResourceSize;
}

internal unsafe struct DML_BUFFER_BINDING
{
    /// <summary>A raw ID3D12Resource*, or null for an unbound optional tensor.</summary>
    public void* Buffer;

    public ulong Offset;
    public ulong SizeInBytes;
}

internal unsafe struct DML_BINDING_DESC
{
    public DML_BINDING_TYPE Type;

    /// <summary>A DML_BUFFER_BINDING* for BUFFER (the only binding type the backend uses; BUFFER_ARRAY is not declared); null for NONE.</summary>
    public void* Desc;
}
