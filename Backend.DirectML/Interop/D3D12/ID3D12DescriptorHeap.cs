using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace Dsl.Backend.DirectML.Interop;

// d3d12.h; slots checked by Tests/DirectML/D3D12LayoutTests. The three getters return
// structs by value; see ID3D12Resource.GetDesc for why no explicit return pointer is declared.

[GeneratedComInterface]
[Guid("8efb471d-616c-4f49-90f7-127bb763fa51")]
internal unsafe partial interface ID3D12DescriptorHeap : ID3D12Pageable
{
    [PreserveSig] D3D12_DESCRIPTOR_HEAP_DESC GetDesc();
    [PreserveSig] D3D12_CPU_DESCRIPTOR_HANDLE GetCPUDescriptorHandleForHeapStart();
    [PreserveSig] D3D12_GPU_DESCRIPTOR_HANDLE GetGPUDescriptorHandleForHeapStart();
}
