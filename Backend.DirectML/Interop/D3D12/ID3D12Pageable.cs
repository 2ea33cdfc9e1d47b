using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace Dsl.Backend.DirectML.Interop;

// d3d12.h: a marker interface, no methods of its own.

[GeneratedComInterface]
[Guid("63ee58fb-1268-4835-86da-f008ce62f0d6")]
internal unsafe partial interface ID3D12Pageable : ID3D12DeviceChild
{
}
