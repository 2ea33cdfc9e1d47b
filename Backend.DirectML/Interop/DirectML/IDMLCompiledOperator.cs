using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace Dsl.Backend.DirectML.Interop;

// DirectML.h: microsoft/DirectX-Headers include/directx/DirectML.h at commit
// 443ff511fd3fe30b55d3c10c9e8d6376b0496eac. Slot rule as for the D3D12 interfaces (see
// ComInterop); DirectML.h is not in the Debian package, so the slots are pinned by
// Tests/DirectML/DirectMLFactsTests instead of being compiled against.

[GeneratedComInterface]
[Guid("6b15e56a-bf5c-4902-92d8-da3a650afea4")]
internal unsafe partial interface IDMLCompiledOperator : IDMLDispatchable
{
}
