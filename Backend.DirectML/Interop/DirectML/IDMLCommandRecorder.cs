using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace Dsl.Backend.DirectML.Interop;

// DirectML.h: microsoft/DirectX-Headers include/directx/DirectML.h at commit
// 443ff511fd3fe30b55d3c10c9e8d6376b0496eac. Slot rule as for the D3D12 interfaces (see
// ComInterop); DirectML.h is not in the Debian package, so the slots are pinned by
// Tests/DirectML/DirectMLFactsTests instead of being compiled against.

[GeneratedComInterface]
[Guid("e6857a76-2e3e-4fdd-bff4-5d2ba10fb453")]
internal unsafe partial interface IDMLCommandRecorder : IDMLDeviceChild
{
    [PreserveSig] void RecordDispatch(ID3D12CommandList commandList, IDMLDispatchable dispatchable, IDMLBindingTable bindings);
}
