using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace Dsl.Backend.DirectML.Interop;

// DirectML.h: microsoft/DirectX-Headers include/directx/DirectML.h at commit
// 443ff511fd3fe30b55d3c10c9e8d6376b0496eac. Slot rule as for the D3D12 interfaces (see
// ComInterop); DirectML.h is not in the Debian package, so the slots are pinned by
// Tests/DirectML/DirectMLFactsTests instead of being compiled against.

/// <summary>Needs DirectML feature level 2_1 (Windows 10 2004 inbox has 2_0; use the redistributable).</summary>
[GeneratedComInterface]
[Guid("a0884f9a-d2be-4355-aa5d-5901281ad1d2")]
internal unsafe partial interface IDMLDevice1 : IDMLDevice
{
    void CompileGraph(DML_GRAPH_DESC* desc, DML_EXECUTION_FLAGS flags, Guid* riid, void** ppv);
}
