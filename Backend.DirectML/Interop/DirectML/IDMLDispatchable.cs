using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace Dsl.Backend.DirectML.Interop;

// DirectML.h: microsoft/DirectX-Headers include/directx/DirectML.h at commit
// 443ff511fd3fe30b55d3c10c9e8d6376b0496eac. Slot rule as for the D3D12 interfaces (see
// ComInterop); DirectML.h is not in the Debian package, so the slots are pinned by
// Tests/DirectML/DirectMLFactsTests instead of being compiled against.

[GeneratedComInterface]
[Guid("dcb821a8-1039-441e-9f1c-b1759c2f3cec")]
internal unsafe partial interface IDMLDispatchable : IDMLPageable
{
    /// <summary>
    /// Struct returned by value (24 bytes): MemberFunction convention, as ID3D12Resource.GetDesc.
    /// </summary>
    [PreserveSig] DML_BINDING_PROPERTIES GetBindingProperties();
}
