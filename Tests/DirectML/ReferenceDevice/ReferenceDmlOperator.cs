using System.Runtime.InteropServices.Marshalling;
using Dsl.Backend.DirectML.Interop;

namespace Dsl.Tests.DirectML.ReferenceDevice;

/// <summary>An IDMLOperator: the interpreter's handle for the description it was created from.</summary>
[GeneratedComClass]
internal sealed unsafe partial class ReferenceDmlOperator(ReferenceDmlDevice device, ReferenceGpu gpu, void* handle) : ReferenceDmlChild(device, gpu), IDMLOperator
{
    /// <summary>The <see cref="Reference.ReferenceOperators"/> handle (a copied DML_OPERATOR_DESC*).</summary>
    public void* Handle { get; } = handle;
}
