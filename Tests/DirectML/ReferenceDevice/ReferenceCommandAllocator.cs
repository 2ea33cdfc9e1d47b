using System.Runtime.InteropServices.Marshalling;
using Dsl.Backend.DirectML.Interop;

namespace Dsl.Tests.DirectML.ReferenceDevice;

/// <summary>A command allocator: only its type matters (lists record into managed memory).</summary>
[GeneratedComClass]
internal sealed partial class ReferenceCommandAllocator(ReferenceD3D12Device device, ReferenceGpu gpu, D3D12_COMMAND_LIST_TYPE type) : ReferenceD3D12Child(device, gpu), ID3D12CommandAllocator
{
    /// <summary>The list type it allocates for.</summary>
    public D3D12_COMMAND_LIST_TYPE Type { get; } = type;

    /// <summary>Lists recording with this allocator now.</summary>
    public int OpenLists { get; set; }

    public void Reset()
    {
        if (OpenLists > 0)
            throw Gpu.Fail("ID3D12CommandAllocator::Reset while a command list records into it.");
    }
}
