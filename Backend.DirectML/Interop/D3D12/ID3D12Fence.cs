using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace Dsl.Backend.DirectML.Interop;

// d3d12.h; slots checked by Tests/DirectML/D3D12LayoutTests.

[GeneratedComInterface]
[Guid("0a753dcf-c4d8-4b91-adf6-be5a60d95a76")]
internal unsafe partial interface ID3D12Fence : ID3D12Pageable
{
    [PreserveSig] ulong GetCompletedValue();

    /// <summary>A null <paramref name="hEvent"/> blocks until the fence reaches the value (the only form on WSL, which has no Win32 events).</summary>
    void SetEventOnCompletion(ulong Value, nint hEvent);

    void Signal(ulong Value);
}
