using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace Dsl.Backend.DirectML.Interop;

// d3d12.h; slots checked by Tests/DirectML/D3D12LayoutTests.

[GeneratedComInterface]
[Guid("696442be-a72e-4059-bc79-5b5c98040fad")]
internal unsafe partial interface ID3D12Resource : ID3D12Pageable
{
    void Map(uint Subresource, D3D12_RANGE* pReadRange, void** ppData);
    [PreserveSig] void Unmap(uint Subresource, D3D12_RANGE* pWrittenRange);

    /// <summary>
    /// Returns the struct by value: the generated stub calls through the MemberFunction
    /// convention, which is the hidden-return-pointer-after-this form of MSVC on Windows and
    /// the plain C return of the non-_WIN32 branch of d3d12.h on Linux/WSL (see ComInterop).
    /// </summary>
    [PreserveSig] D3D12_RESOURCE_DESC GetDesc();

    [PreserveSig] ulong GetGPUVirtualAddress();
}
