using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace Dsl.Backend.DirectML.Interop;

// dxcore_interface.h; slots checked by Tests/DirectML/D3D12LayoutTests. The header's bool is
// C++ bool (one byte), hence U1.

[GeneratedComInterface]
[Guid("f0db4c7f-fe5a-42a2-bd62-f2a6cf6fc83e")]
internal unsafe partial interface IDXCoreAdapter
{
    [PreserveSig][return: MarshalAs(UnmanagedType.U1)] bool IsValid();
    [PreserveSig][return: MarshalAs(UnmanagedType.U1)] bool IsAttributeSupported(Guid* attributeGUID);
    [PreserveSig][return: MarshalAs(UnmanagedType.U1)] bool IsPropertySupported(DXCoreAdapterProperty property);
    void GetProperty(DXCoreAdapterProperty property, nuint bufferSize, void* propertyData);
    void GetPropertySize(DXCoreAdapterProperty property, nuint* bufferSize);
}
