using System.Runtime.InteropServices.Marshalling;
using Dsl.Backend.DirectML.Interop;

namespace Dsl.Tests.DirectML.ReferenceDevice;

/// <summary>
/// A committed buffer: real zeroed bytes in native memory, its heap type, description and the
/// state D3D12 would track. UPLOAD and READBACK buffers can be mapped; DEFAULT ones cannot.
/// </summary>
[GeneratedComClass]
internal sealed unsafe partial class ReferenceResource : ReferenceD3D12Child, ID3D12Resource
{
    public ReferenceResource(ReferenceD3D12Device device, ReferenceGpu gpu, D3D12_HEAP_PROPERTIES heap, D3D12_RESOURCE_DESC desc, D3D12_RESOURCE_STATES state)
        : base(device, gpu)
    {
        HeapType = heap.Type;
        Desc = desc;
        State = state;
        Data = gpu.Allocate(desc.Width);
        Address = gpu.ReserveAddresses(desc.Width);
    }

    /// <summary>DEFAULT, UPLOAD or READBACK.</summary>
    public D3D12_HEAP_TYPE HeapType { get; }

    /// <summary>The description it was created with.</summary>
    public D3D12_RESOURCE_DESC Desc { get; }

    /// <summary>The buffer's bytes.</summary>
    public byte* Data { get; }

    /// <summary>Its fake GPU virtual address.</summary>
    public ulong Address { get; }

    /// <summary>The state the GPU timeline has it in (changed by executed barriers).</summary>
    public D3D12_RESOURCE_STATES State { get; set; }

    /// <summary>Width in bytes.</summary>
    public ulong Width => Desc.Width;

    /// <summary>Outstanding Map calls.</summary>
    public int MapCount { get; private set; }

    public void Map(uint Subresource, D3D12_RANGE* pReadRange, void** ppData)
    {
        if (HeapType == D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_DEFAULT)
            throw Gpu.Fail("ID3D12Resource::Map on a DEFAULT heap buffer: the CPU cannot access it (copy through an UPLOAD or READBACK buffer).");
        if (Subresource != 0)
            throw Gpu.Fail($"ID3D12Resource::Map: a buffer has subresource 0 only, got {Subresource}.");
        if (pReadRange != null && (pReadRange->End < pReadRange->Begin || pReadRange->End > Width))
            throw Gpu.Fail($"ID3D12Resource::Map: read range [{pReadRange->Begin}, {pReadRange->End}) outside the {Width}-byte buffer.");
        if (ppData == null)
            throw Gpu.Fail("ID3D12Resource::Map: ppData is null.");
        MapCount++;
        *ppData = Data;
    }

    public void Unmap(uint Subresource, D3D12_RANGE* pWrittenRange)
    {
        if (MapCount == 0)
        {
            Gpu.Errors.Add("ID3D12Resource::Unmap without Map.");
            return;
        }
        if (pWrittenRange != null && pWrittenRange->End > pWrittenRange->Begin && HeapType == D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_READBACK)
            Gpu.Errors.Add("ID3D12Resource::Unmap: a written range on a READBACK buffer (the CPU must not write it).");
        MapCount--;
    }

    public D3D12_RESOURCE_DESC GetDesc() => Desc;

    public ulong GetGPUVirtualAddress() => Address;

    /// <summary>Checks that [offset, offset + count) lies inside the buffer.</summary>
    public void CheckRange(ulong offset, ulong count, string what)
    {
        if (offset > Width || count > Width - offset)
            throw Gpu.Fail($"{what}: bytes [{offset}, {offset + count}) are outside the {Width}-byte {HeapType} buffer.");
    }
}
