using Dsl.Backend.DirectML.Interop;
using Dsl.Execution;
using Dsl.Operators;

namespace Dsl.Backend.DirectML.Lowering;

/// <summary>
/// A <see cref="DML_GRAPH_DESC"/> built by <see cref="DmlGraphBuilder"/>, with the mapping back to
/// the Dsl graph. Owns the unmanaged memory of the description (one arena): every pointer in it
/// is valid until <see cref="Dispose"/>. Does not own the operators the factory created.
/// </summary>
internal sealed unsafe class DmlBuiltGraph : IDisposable
{
    readonly DmlNativeArena arena;
    readonly nint[] operatorDescs;
    DML_GRAPH_DESC* desc;

    internal DmlBuiltGraph(DmlNativeArena arena, DML_GRAPH_DESC* desc, Tensor[] inputs, GraphOutput[] outputs, Node[] nodes, nint[] operatorDescs, DmlResult[] results, Dictionary<Tensor, HostTensor> constants)
    {
        Results = results;
        Constants = constants;
        this.arena = arena;
        this.desc = desc;
        Inputs = inputs;
        Outputs = outputs;
        Nodes = nodes;
        this.operatorDescs = operatorDescs;
    }

    /// <summary>The native description, for <c>IDMLDevice1::CompileGraph</c>.</summary>
    public DML_GRAPH_DESC* Desc => desc != null ? desc : throw new ObjectDisposedException(nameof(DmlBuiltGraph));

    /// <summary>The Dsl value bound to each graph input index.</summary>
    public IReadOnlyList<Tensor> Inputs { get; }

    /// <summary>The Dsl outputs, in the graph's order (see <see cref="Results"/> for where each comes from).</summary>
    public IReadOnlyList<GraphOutput> Outputs { get; }

    /// <summary>
    /// Every value a run delivers: the Dsl outputs in order, then each update's new value in
    /// <see cref="Graph.Updates"/> order. Node-computed ones are the DirectML graph outputs, numbered
    /// in this order; the others are copies (see <see cref="DmlResult"/>).
    /// </summary>
    public IReadOnlyList<DmlResult> Results { get; }

    /// <summary>The constants (a <see cref="ConstantOp"/>'s value) among the graph inputs and copied results, with their data to upload once.</summary>
    public IReadOnlyDictionary<Tensor, HostTensor> Constants { get; }

    /// <summary>The Dsl node of each DirectML graph node index.</summary>
    public IReadOnlyList<Node> Nodes { get; }

    /// <summary>Bytes of unmanaged memory the description holds.</summary>
    public long NativeBytes => arena.BytesAllocated;

    /// <summary>The operator description node <paramref name="index"/> was created from.</summary>
    public DML_OPERATOR_DESC* OperatorDesc(int index) => (DML_OPERATOR_DESC*)operatorDescs[index];

    /// <inheritdoc/>
    public void Dispose()
    {
        desc = null;
        arena.Dispose();
    }
}
