using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace Dsl.Backend.DirectML.Interop;

// d3d12.h; slots checked by Tests/DirectML/D3D12LayoutTests.

[GeneratedComInterface]
[Guid("905db94b-a00c-4140-9df5-2b64ca9ea357")]
internal unsafe partial interface ID3D12DeviceChild : ID3D12Object
{
    void GetDevice(Guid* riid, void** ppvDevice);
}
