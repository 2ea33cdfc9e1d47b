using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace Dsl.Backend.DirectML.Interop;

// d3d12.h; slots checked by Tests/DirectML/D3D12LayoutTests.

[GeneratedComInterface]
[Guid("6102dee4-af59-4b09-b999-b44d73f09b24")]
internal unsafe partial interface ID3D12CommandAllocator : ID3D12Pageable
{
    void Reset();
}
