using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace Dsl.Backend.DirectML.Interop;

// d3d12.h (directx-headers-dev 1.606.4). Vtable slot of a method = slots of the base
// interfaces + its index in declaration order (see ComInterop); placeholder methods keep
// the slots of methods the backend never calls. Tests/DirectML/D3D12LayoutTests checks
// every declared method's slot and the IID against the compiled header.

[GeneratedComInterface]
[Guid("c4fec28f-7966-4e95-9f94-f431cb56c3b8")]
internal unsafe partial interface ID3D12Object
{
    [PreserveSig] int GetPrivateData(Guid* guid, uint* pDataSize, void* pData);
    [PreserveSig] int SetPrivateData(Guid* guid, uint DataSize, void* pData);
    [PreserveSig] int SetPrivateDataInterface(Guid* guid, void* pData);

    /// <summary>
    /// Takes an LPCWSTR, which is wchar_t: UTF-16 on Windows but UTF-32 on Linux/WSL,
    /// so callers encode per platform (see ComInterop.NativeWideString).
    /// </summary>
    [PreserveSig] int SetName(void* Name);
}
