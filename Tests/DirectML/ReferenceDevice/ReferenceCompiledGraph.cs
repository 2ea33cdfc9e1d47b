using System.Runtime.InteropServices.Marshalling;
using Dsl.Backend.DirectML.Interop;
using Dsl.Tests.DirectML.Reference;

namespace Dsl.Tests.DirectML.ReferenceDevice;

/// <summary>
/// A compiled DirectML graph. Keeps the caller's description (its edges and operator
/// descriptions are read again at every dispatch, so the caller must keep them alive, as a real
/// implementation may read them lazily), with the node array copied so each operator pointer is
/// the interpreter's handle. Asks for persistent and temporary resources, so the runtime's
/// initializer and resource bindings are exercised: the initializer stamps the persistent
/// resource and a dispatch checks the stamp.
/// </summary>
[GeneratedComClass]
internal sealed unsafe partial class ReferenceCompiledGraph : ReferenceDmlChild, IDMLCompiledOperator, IReferenceDispatchable
{
    /// <summary>Persistent bytes the graph asks for.</summary>
    public const ulong PersistentSize = 512;

    /// <summary>Temporary bytes the graph asks for.</summary>
    public const ulong TemporarySize = 256;

    /// <summary>The byte the initializer writes over the persistent resource.</summary>
    public const byte Stamp = 0xA5;

    readonly DML_GRAPH_DESC* graph;

    public ReferenceCompiledGraph(ReferenceDmlDevice device, ReferenceGpu gpu, DML_GRAPH_DESC* desc, DML_EXECUTION_FLAGS flags)
        : base(device, gpu)
    {
        Flags = flags;
        if (desc->OutputCount == 0)
            throw gpu.Fail("IDMLDevice1::CompileGraph: a graph needs at least one output.");
        graph = gpu.Arena.Alloc<DML_GRAPH_DESC>();
        *graph = *desc;
        var nodes = gpu.Arena.Alloc<DML_GRAPH_NODE_DESC>((int)desc->NodeCount);
        var ops = new DML_OPERATOR_DESC*[desc->NodeCount];
        for (var i = 0; i < desc->NodeCount; i++)
        {
            if (desc->Nodes[i].Type != DML_GRAPH_NODE_TYPE.DML_GRAPH_NODE_TYPE_OPERATOR)
                throw gpu.Fail($"IDMLDevice1::CompileGraph: node {i} has type {desc->Nodes[i].Type}.");
            var source = (DML_OPERATOR_GRAPH_NODE_DESC*)desc->Nodes[i].Desc;
            var op = gpu.Resolve<ReferenceDmlOperator>(source->Operator, $"IDMLDevice1::CompileGraph: node {i}'s operator");
            var node = gpu.Arena.Alloc<DML_OPERATOR_GRAPH_NODE_DESC>();
            *node = *source;
            node->Operator = op.Handle;
            nodes[i] = new DML_GRAPH_NODE_DESC { Type = DML_GRAPH_NODE_TYPE.DML_GRAPH_NODE_TYPE_OPERATOR, Desc = node };
            ops[i] = gpu.Operators.Resolve(op.Handle);
        }
        graph->Nodes = nodes;

        // The tensor at each end of the graph, from the operators' signatures (as the interpreter reads them).
        DmlGraphInterpreter.TensorDesc?[] inputs, outputs;
        try
        {
            (inputs, outputs) = DmlGraphInterpreter.BoundaryTensors(graph, gpu.Operators);
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException)
        {
            throw gpu.Fail($"IDMLDevice1::CompileGraph: {e.Message}");
        }
        var missing = Array.IndexOf(inputs, null);
        if (missing >= 0)
            throw gpu.Fail($"IDMLDevice1::CompileGraph: graph input {missing} has no edge.");
        Inputs = inputs!;
        Outputs = outputs;
    }

    /// <summary>The flags it was compiled with.</summary>
    public DML_EXECUTION_FLAGS Flags { get; }

    /// <summary>Each graph input's tensor (the largest one read through it).</summary>
    public DmlGraphInterpreter.TensorDesc[] Inputs { get; }

    /// <summary>Each graph output's tensor (null where no edge leaves for it; execution then fails).</summary>
    public DmlGraphInterpreter.TensorDesc?[] Outputs { get; }

    /// <summary>The persistent binding the initializer stamped, once it ran.</summary>
    public (ReferenceResource Resource, ulong Offset)? InitializedAt { get; set; }

    /// <summary>Dispatches executed.</summary>
    public int Dispatches { get; private set; }

    public DML_BINDING_PROPERTIES Properties => new()
    {
        RequiredDescriptorCount = graph->InputCount + graph->OutputCount,
        TemporaryResourceSize = TemporarySize,
        PersistentResourceSize = PersistentSize,
    };

    public DML_BINDING_PROPERTIES GetBindingProperties() => Properties;

    public void Validate(ReferenceBinding.Set bindings)
    {
        for (var k = 0; k < Inputs.Length; k++)
            Check(bindings.Inputs.ElementAtOrDefault(k), Inputs[k], $"graph input {k}");
        for (var k = 0; k < Outputs.Length; k++)
            Check(bindings.Outputs.ElementAtOrDefault(k), Outputs[k], $"graph output {k}");
        if (bindings.Temporary is null || bindings.Temporary.Size < TemporarySize)
            throw Gpu.Fail($"RecordDispatch: the graph needs a temporary resource of {TemporarySize} bytes bound.");
        if (bindings.Persistent is null || bindings.Persistent.Size < PersistentSize)
            throw Gpu.Fail($"RecordDispatch: the graph needs a persistent resource of {PersistentSize} bytes bound.");
    }

    void Check(ReferenceBinding? binding, DmlGraphInterpreter.TensorDesc? tensor, string what)
    {
        if (binding is null)
            throw Gpu.Fail($"RecordDispatch: {what} is not bound.");
        if (tensor is not null && binding.Size < tensor.TotalBytes)
            throw Gpu.Fail($"RecordDispatch: {what} is bound to {binding.Size} bytes; its tensor needs {tensor.TotalBytes}.");
    }

    public void Execute(ReferenceBinding.Set bindings)
    {
        if (InitializedAt is not { } at)
            throw Gpu.Fail("Dispatch of a compiled graph that no operator initializer has initialized.");
        var persistent = bindings.Persistent!;
        if (persistent.Resource != at.Resource || persistent.Offset != at.Offset)
            throw Gpu.Fail("Dispatch: the persistent resource is not the one the initializer wrote.");
        for (ulong i = 0; i < PersistentSize; i++)
        {
            if (persistent.Data[i] != Stamp)
                throw Gpu.Fail($"Dispatch: the persistent resource was overwritten at byte {i} since initialization.");
        }
        foreach (var binding in bindings.Inputs.Concat(bindings.Outputs))
        {
            if (binding!.Resource.State != D3D12_RESOURCE_STATES.D3D12_RESOURCE_STATE_UNORDERED_ACCESS)
                throw Gpu.Fail($"Dispatch: a bound {binding.Resource.Width}-byte buffer is in {binding.Resource.State}, not UNORDERED_ACCESS (a missing barrier).");
        }

        var inputs = new float[Inputs.Length][];
        for (var k = 0; k < inputs.Length; k++)
            inputs[k] = DmlGraphInterpreter.Decode(bindings.Inputs[k]!.Data, Inputs[k].TotalBytes, Inputs[k].DataType);
        var outputs = DmlGraphInterpreter.Execute(graph, Gpu.Operators, inputs);
        for (var k = 0; k < outputs.Length; k++)
        {
            var tensor = Outputs[k]!;
            if ((ulong)outputs[k].Length * tensor.ElementSize > bindings.Outputs[k]!.Size)
                throw Gpu.Fail($"Dispatch: graph output {k} has {outputs[k].Length} elements; its binding holds {bindings.Outputs[k]!.Size} bytes.");
            DmlGraphInterpreter.Encode(outputs[k], bindings.Outputs[k]!.Data, tensor.DataType);
        }
        Dispatches++;
    }
}
