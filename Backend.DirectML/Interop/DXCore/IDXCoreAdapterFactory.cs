using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace Dsl.Backend.DirectML.Interop;

// dxcore_interface.h (C++ only: no C vtable struct, so the layout test reads slots from
// g++'s pointer-to-member encoding). Declared up to the one method used.

[GeneratedComInterface]
[Guid("78ee5945-c36e-4b13-a669-005dd11c0f06")]
internal unsafe partial interface IDXCoreAdapterFactory
{
    void CreateAdapterList(uint numAttributes, Guid* filterAttributes, Guid* riid, void** ppvAdapterList);
}
