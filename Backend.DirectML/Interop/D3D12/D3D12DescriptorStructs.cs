namespace Dsl.Backend.DirectML.Interop;

// Layout of d3d12.h; checked against the header by Tests/DirectML/D3D12LayoutTests.

internal struct D3D12_DESCRIPTOR_HEAP_DESC
{
    public D3D12_DESCRIPTOR_HEAP_TYPE Type;
    public uint NumDescriptors;
    public D3D12_DESCRIPTOR_HEAP_FLAGS Flags;
    public uint NodeMask;
}

/// <summary>A CPU descriptor address (SIZE_T in the header, so pointer-sized).</summary>
internal struct D3D12_CPU_DESCRIPTOR_HANDLE
{
    public nuint ptr;
}

/// <summary>A GPU descriptor address (UINT64 in the header on every platform).</summary>
internal struct D3D12_GPU_DESCRIPTOR_HANDLE
{
    public ulong ptr;
}
