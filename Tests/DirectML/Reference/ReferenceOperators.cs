using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Lowering;

namespace Dsl.Tests.DirectML.Reference;

/// <summary>
/// Test stand-in for <c>IDMLDevice::CreateOperator</c>: each created operator is an opaque
/// native handle that remembers the <see cref="DML_OPERATOR_DESC"/> it was created from (its
/// Type and Desc pointer, which must stay valid while the graph is used, as the builder's arena
/// guarantees). <see cref="DmlGraphInterpreter"/> resolves the graph's operator pointers here,
/// the way a DirectML implementation knows its own operator objects.
/// </summary>
internal sealed unsafe class ReferenceOperators : IDisposable
{
    readonly DmlNativeArena arena = new();
    readonly HashSet<nint> handles = [];

    /// <summary>Operators created so far.</summary>
    public int Count => handles.Count;

    /// <summary>The type of every operator created so far.</summary>
    public IEnumerable<DML_OPERATOR_TYPE> Types => handles.Select(h => ((DML_OPERATOR_DESC*)h)->Type);

    /// <summary>The <see cref="DmlOperatorFactory"/> of this stand-in.</summary>
    public void* Create(DML_OPERATOR_DESC* desc)
    {
        if (desc == null || desc->Desc == null)
            throw new ArgumentException("CreateOperator: null operator description.");
        var handle = arena.Alloc<DML_OPERATOR_DESC>();
        *handle = *desc;
        handles.Add((nint)handle);
        return handle;
    }

    /// <summary>The description behind an operator pointer taken from a graph description.</summary>
    public DML_OPERATOR_DESC* Resolve(void* op) =>
        handles.Contains((nint)op) ? (DML_OPERATOR_DESC*)op : throw new InvalidOperationException($"0x{(nint)op:x} is not an operator this device created.");

    /// <inheritdoc/>
    public void Dispose() => arena.Dispose();
}
