using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace Dsl.Backend.DirectML.Interop;

// d3d12.h; slots checked by Tests/DirectML/D3D12LayoutTests. Declared up to
// SetDescriptorHeaps (slot 28), the last method a DirectML dispatch needs.

[GeneratedComInterface]
[Guid("5b160d0f-ac1b-4185-8ba8-b3ae42a5a455")]
internal unsafe partial interface ID3D12GraphicsCommandList : ID3D12CommandList
{
    void Close();

    /// <summary><paramref name="pInitialState"/> is an ID3D12PipelineState*, null for DirectML.</summary>
    void Reset(ID3D12CommandAllocator pAllocator, void* pInitialState);

    [PreserveSig] void ClearState();
    [PreserveSig] void DrawInstanced();
    [PreserveSig] void DrawIndexedInstanced();
    [PreserveSig] void Dispatch();
    [PreserveSig] void CopyBufferRegion(ID3D12Resource pDstBuffer, ulong DstOffset, ID3D12Resource pSrcBuffer, ulong SrcOffset, ulong NumBytes);
    [PreserveSig] void CopyTextureRegion();
    [PreserveSig] void CopyResource();
    [PreserveSig] void CopyTiles();
    [PreserveSig] void ResolveSubresource();
    [PreserveSig] void IASetPrimitiveTopology();
    [PreserveSig] void RSSetViewports();
    [PreserveSig] void RSSetScissorRects();
    [PreserveSig] void OMSetBlendFactor();
    [PreserveSig] void OMSetStencilRef();
    [PreserveSig] void SetPipelineState();
    [PreserveSig] void ResourceBarrier(uint NumBarriers, D3D12_RESOURCE_BARRIER* pBarriers);
    [PreserveSig] void ExecuteBundle();

    /// <summary><paramref name="ppDescriptorHeaps"/> is an array of raw ID3D12DescriptorHeap*.</summary>
    [PreserveSig] void SetDescriptorHeaps(uint NumDescriptorHeaps, void** ppDescriptorHeaps);
}
