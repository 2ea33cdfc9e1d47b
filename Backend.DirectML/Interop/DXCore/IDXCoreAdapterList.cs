using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace Dsl.Backend.DirectML.Interop;

// dxcore_interface.h; slots checked by Tests/DirectML/D3D12LayoutTests.

[GeneratedComInterface]
[Guid("526c7776-40e9-459b-b711-f32ad76dfc28")]
internal unsafe partial interface IDXCoreAdapterList
{
    void GetAdapter(uint index, Guid* riid, void** ppvAdapter);
    [PreserveSig] uint GetAdapterCount();
    [PreserveSig][return: MarshalAs(UnmanagedType.U1)] bool IsStale();
    void GetFactory(Guid* riid, void** ppvFactory);
    void Sort(uint numPreferences, DXCoreAdapterPreference* preferences);
}
