using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace Dsl.Backend.DirectML.Interop;

// DirectML.h: microsoft/DirectX-Headers include/directx/DirectML.h at commit
// 443ff511fd3fe30b55d3c10c9e8d6376b0496eac. Slot rule as for the D3D12 interfaces (see
// ComInterop); DirectML.h is not in the Debian package, so the slots are pinned by
// Tests/DirectML/DirectMLFactsTests instead of being compiled against.

[GeneratedComInterface]
[Guid("427c1113-435c-469c-8676-4d5dd072f813")]
internal unsafe partial interface IDMLOperatorInitializer : IDMLDispatchable
{
    /// <summary><paramref name="operators"/> is an array of raw IDMLCompiledOperator*.</summary>
    void Reset(uint operatorCount, void** operators);
}
