using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace Dsl.Backend.DirectML.Interop;

// DirectML.h: microsoft/DirectX-Headers include/directx/DirectML.h at commit
// 443ff511fd3fe30b55d3c10c9e8d6376b0496eac. Slot rule as for the D3D12 interfaces (see
// ComInterop); DirectML.h is not in the Debian package, so the slots are pinned by
// Tests/DirectML/DirectMLFactsTests instead of being compiled against.

[GeneratedComInterface]
[Guid("29c687dc-de74-4e3b-ab00-1168f2fc3cfc")]
internal unsafe partial interface IDMLBindingTable : IDMLDeviceChild
{
    [PreserveSig] void BindInputs(uint bindingCount, DML_BINDING_DESC* bindings);
    [PreserveSig] void BindOutputs(uint bindingCount, DML_BINDING_DESC* bindings);
    [PreserveSig] void BindTemporaryResource(DML_BINDING_DESC* binding);
    [PreserveSig] void BindPersistentResource(DML_BINDING_DESC* binding);
    void Reset(DML_BINDING_TABLE_DESC* desc);
}
