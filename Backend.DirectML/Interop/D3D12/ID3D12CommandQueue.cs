using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace Dsl.Backend.DirectML.Interop;

// d3d12.h; slots checked by Tests/DirectML/D3D12LayoutTests.

[GeneratedComInterface]
[Guid("0ec870a6-5d7e-4c22-8cfc-5baae07616ed")]
internal unsafe partial interface ID3D12CommandQueue : ID3D12Pageable
{
    [PreserveSig] void UpdateTileMappings();
    [PreserveSig] void CopyTileMappings();

    /// <summary><paramref name="ppCommandLists"/> is an array of raw ID3D12CommandList*.</summary>
    [PreserveSig] void ExecuteCommandLists(uint NumCommandLists, void** ppCommandLists);

    [PreserveSig] void SetMarker();
    [PreserveSig] void BeginEvent();
    [PreserveSig] void EndEvent();
    void Signal(ID3D12Fence pFence, ulong Value);
}
