using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace Dsl.Backend.DirectML.Interop;

// DirectML.h: microsoft/DirectX-Headers include/directx/DirectML.h at commit
// 443ff511fd3fe30b55d3c10c9e8d6376b0496eac. Slot rule as for the D3D12 interfaces (see
// ComInterop); DirectML.h is not in the Debian package, so the slots are pinned by
// Tests/DirectML/DirectMLFactsTests instead of being compiled against.

[GeneratedComInterface]
[Guid("c8263aac-9e0c-4a2d-9b8e-007521a3317c")]
internal unsafe partial interface IDMLObject
{
    [PreserveSig] int GetPrivateData(Guid* guid, uint* dataSize, void* data);
    [PreserveSig] int SetPrivateData(Guid* guid, uint dataSize, void* data);
    [PreserveSig] int SetPrivateDataInterface(Guid* guid, void* data);

    /// <summary>PCWSTR: wchar_t, so UTF-16 on Windows and UTF-32 on Linux/WSL.</summary>
    [PreserveSig] int SetName(void* name);
}
