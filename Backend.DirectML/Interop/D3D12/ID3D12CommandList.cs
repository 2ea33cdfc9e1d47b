using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace Dsl.Backend.DirectML.Interop;

// d3d12.h; slots checked by Tests/DirectML/D3D12LayoutTests.

[GeneratedComInterface]
[Guid("7116d91c-e7e4-47ce-b8c6-ec8168f437e5")]
internal unsafe partial interface ID3D12CommandList : ID3D12DeviceChild
{
    /// <summary>Named after the header's GetType; returns a D3D12_COMMAND_LIST_TYPE.</summary>
    [PreserveSig] D3D12_COMMAND_LIST_TYPE GetType();
}
