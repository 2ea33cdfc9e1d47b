using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace Dsl.Backend.DirectML.Interop;

// DirectML.h: microsoft/DirectX-Headers include/directx/DirectML.h at commit
// 443ff511fd3fe30b55d3c10c9e8d6376b0496eac. Slot rule as for the D3D12 interfaces (see
// ComInterop); DirectML.h is not in the Debian package, so the slots are pinned by
// Tests/DirectML/DirectMLFactsTests instead of being compiled against.

/// <summary>An uncompiled operator: only an input to CompileOperator or a graph node.</summary>
[GeneratedComInterface]
[Guid("26caae7a-3081-4633-9581-226fbe57695d")]
internal unsafe partial interface IDMLOperator : IDMLDeviceChild
{
}
