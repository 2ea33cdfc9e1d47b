namespace Dsl.Backend.DirectML.Interop;

// Layout of d3d12.h / dxgicommon.h; checked against the headers by Tests/DirectML/D3D12LayoutTests.

internal struct D3D12_HEAP_PROPERTIES
{
    public D3D12_HEAP_TYPE Type;
    public D3D12_CPU_PAGE_PROPERTY CPUPageProperty;
    public D3D12_MEMORY_POOL MemoryPoolPreference;
    public uint CreationNodeMask;
    public uint VisibleNodeMask;
}

internal struct DXGI_SAMPLE_DESC
{
    public uint Count;
    public uint Quality;
}

internal struct D3D12_RESOURCE_DESC
{
    public D3D12_RESOURCE_DIMENSION Dimension;
    public ulong Alignment;
    public ulong Width;
    public uint Height;
    public ushort DepthOrArraySize;
    public ushort MipLevels;
    public DXGI_FORMAT Format;
    public DXGI_SAMPLE_DESC SampleDesc;
    public D3D12_TEXTURE_LAYOUT Layout;
    public D3D12_RESOURCE_FLAGS Flags;

    /// <summary>The description of a plain byte buffer, the only resource kind DirectML binds.</summary>
    public static D3D12_RESOURCE_DESC Buffer(ulong sizeInBytes, D3D12_RESOURCE_FLAGS flags) => new()
    {
        Dimension = D3D12_RESOURCE_DIMENSION.D3D12_RESOURCE_DIMENSION_BUFFER,
        Width = sizeInBytes,
        Height = 1,
        DepthOrArraySize = 1,
        MipLevels = 1,
        Format = DXGI_FORMAT.DXGI_FORMAT_UNKNOWN,
        SampleDesc = new DXGI_SAMPLE_DESC { Count = 1 },
        // Buffers must be row-major in D3D12.
        Layout = D3D12_TEXTURE_LAYOUT.D3D12_TEXTURE_LAYOUT_ROW_MAJOR,
        Flags = flags,
    };
}

/// <summary>A byte range of a mapped subresource (SIZE_T bounds).</summary>
internal struct D3D12_RANGE
{
    public nuint Begin;
    public nuint End;
}
