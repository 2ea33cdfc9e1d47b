using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace Dsl.Backend.DirectML.Interop;

// DirectML.h: microsoft/DirectX-Headers include/directx/DirectML.h at commit
// 443ff511fd3fe30b55d3c10c9e8d6376b0496eac. Slot rule as for the D3D12 interfaces (see
// ComInterop); DirectML.h is not in the Debian package, so the slots are pinned by
// Tests/DirectML/DirectMLFactsTests instead of being compiled against.

[GeneratedComInterface]
[Guid("27e83142-8165-49e3-974e-2fd66e4cb69d")]
internal unsafe partial interface IDMLDeviceChild : IDMLObject
{
    void GetDevice(Guid* riid, void** ppv);
}
