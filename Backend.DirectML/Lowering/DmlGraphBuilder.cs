using Dsl.Backend.DirectML.Interop;
using static Dsl.Backend.DirectML.Interop.DML_OPERATOR_TYPE;

namespace Dsl.Backend.DirectML.Lowering;

/// <summary>
/// Creates the DirectML operator for one description (on a device: <c>IDMLDevice::CreateOperator</c>)
/// and returns it as a raw <c>IDMLOperator*</c>. The graph description holds no reference: the
/// caller keeps the operators alive until the graph is compiled and releases them afterwards.
/// </summary>
internal unsafe delegate void* DmlOperatorFactory(DML_OPERATOR_DESC* desc);

/// <summary>
/// Lowers a Dsl <see cref="Graph"/> to DirectML.h's native <see cref="DML_GRAPH_DESC"/>, for
/// <c>IDMLDevice1::CompileGraph</c>. First slice: 2-D MatMul (GEMM), Add/Sub/Mul (element-wise,
/// broadcasting by zero strides), Relu and Exp, float32, rank ≤ 4. Every tensor is described as
/// a 4-D buffer tensor (leading 1s), strides only where a broadcast needs them. Graph inputs are
/// the values no node produces (inputs, parameters, buffers), in the graph's value order; graph
/// outputs follow <see cref="Graph.Outputs"/>. Nodes no output depends on are left out.
/// </summary>
internal static unsafe class DmlGraphBuilder
{
    /// <summary>Every tensor description has this many dimensions.</summary>
    public const int DimensionCount = 4;

    /// <summary>The IR ops this slice lowers.</summary>
    public static IReadOnlySet<Type> LoweredOps { get; } = new HashSet<Type>
    {
        typeof(MatMulOp), typeof(AddOp), typeof(SubOp), typeof(MulOp), typeof(ReluOp), typeof(ExpOp),
    };

    /// <summary>Builds the native graph description; the result owns all its memory.</summary>
    /// <exception cref="NotSupportedException">An op, dtype, rank or graph feature outside the slice.</exception>
    public static DmlBuiltGraph Build(Graph graph, DmlOperatorFactory createOperator)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(createOperator);
        if (graph.Outputs.Count == 0)
            throw new ArgumentException($"Graph '{graph.Name}' has no outputs: nothing to lower.", nameof(graph));
        if (graph.Updates.Count > 0)
            throw new NotSupportedException($"Graph '{graph.Name}' updates persistent values in place; the DirectML graph builder does not lower updates yet.");

        var nodes = LiveNodes(graph);
        foreach (var node in nodes)
            Check(node);

        var used = nodes.SelectMany(n => n.Inputs).Where(v => v.Producer is null).ToHashSet();
        var inputs = graph.Values.Where(used.Contains).ToArray();
        var inputIndex = inputs.Select((v, i) => (v, i)).ToDictionary(p => p.v, p => p.i);
        var nodeIndex = nodes.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i);

        var arena = new DmlNativeArena();
        try
        {
            var operatorDescs = new nint[nodes.Length];
            var graphNodes = arena.Alloc<DML_GRAPH_NODE_DESC>(nodes.Length);
            var inputEdges = new List<DML_GRAPH_EDGE_DESC>();
            var intermediateEdges = new List<DML_GRAPH_EDGE_DESC>();
            for (var i = 0; i < nodes.Length; i++)
            {
                var node = nodes[i];
                var opDesc = Lower(arena, node);
                operatorDescs[i] = (nint)opDesc;
                var op = createOperator(opDesc);
                if (op is null)
                    throw new InvalidOperationException($"Creating the DirectML operator {opDesc->Type} for node {i} ({node.Op.Describe()}) returned null.");
                var opNode = arena.Alloc<DML_OPERATOR_GRAPH_NODE_DESC>();
                opNode->Operator = op;
                opNode->Name = arena.Utf8(NodeName(node, i));
                graphNodes[i] = new DML_GRAPH_NODE_DESC { Type = DML_GRAPH_NODE_TYPE.DML_GRAPH_NODE_TYPE_OPERATOR, Desc = opNode };

                for (var j = 0; j < node.Inputs.Count; j++)
                {
                    var value = node.Inputs[j];
                    if (value.Producer is null)
                    {
                        var edge = arena.Alloc<DML_INPUT_GRAPH_EDGE_DESC>();
                        edge->GraphInputIndex = (uint)inputIndex[value];
                        edge->ToNodeIndex = (uint)i;
                        edge->ToNodeInputIndex = (uint)j;
                        inputEdges.Add(new DML_GRAPH_EDGE_DESC { Type = DML_GRAPH_EDGE_TYPE.DML_GRAPH_EDGE_TYPE_INPUT, Desc = edge });
                    }
                    else
                    {
                        var edge = arena.Alloc<DML_INTERMEDIATE_GRAPH_EDGE_DESC>();
                        edge->FromNodeIndex = (uint)nodeIndex[value.Producer];
                        edge->FromNodeOutputIndex = (uint)value.OutputIndex;
                        edge->ToNodeIndex = (uint)i;
                        edge->ToNodeInputIndex = (uint)j;
                        intermediateEdges.Add(new DML_GRAPH_EDGE_DESC { Type = DML_GRAPH_EDGE_TYPE.DML_GRAPH_EDGE_TYPE_INTERMEDIATE, Desc = edge });
                    }
                }
            }

            var outputEdges = new List<DML_GRAPH_EDGE_DESC>();
            for (var k = 0; k < graph.Outputs.Count; k++)
            {
                var value = graph.Outputs[k].Value;
                var edge = arena.Alloc<DML_OUTPUT_GRAPH_EDGE_DESC>();
                edge->FromNodeIndex = (uint)nodeIndex[value.Producer!];
                edge->FromNodeOutputIndex = (uint)value.OutputIndex;
                edge->GraphOutputIndex = (uint)k;
                outputEdges.Add(new DML_GRAPH_EDGE_DESC { Type = DML_GRAPH_EDGE_TYPE.DML_GRAPH_EDGE_TYPE_OUTPUT, Desc = edge });
            }

            var desc = arena.Alloc<DML_GRAPH_DESC>();
            desc->InputCount = (uint)inputs.Length;
            desc->OutputCount = (uint)graph.Outputs.Count;
            desc->NodeCount = (uint)nodes.Length;
            desc->Nodes = graphNodes;
            desc->InputEdgeCount = (uint)inputEdges.Count;
            desc->InputEdges = arena.Copy<DML_GRAPH_EDGE_DESC>(inputEdges.ToArray());
            desc->OutputEdgeCount = (uint)outputEdges.Count;
            desc->OutputEdges = arena.Copy<DML_GRAPH_EDGE_DESC>(outputEdges.ToArray());
            desc->IntermediateEdgeCount = (uint)intermediateEdges.Count;
            desc->IntermediateEdges = arena.Copy<DML_GRAPH_EDGE_DESC>(intermediateEdges.ToArray());
            return new DmlBuiltGraph(arena, desc, inputs, [.. graph.Outputs], nodes, operatorDescs);
        }
        catch
        {
            arena.Dispose();
            throw;
        }
    }

    /// <summary>The nodes some output depends on, in the graph's (topological) order.</summary>
    static Node[] LiveNodes(Graph graph)
    {
        var live = new HashSet<Node>();
        var pending = new Stack<Node>();
        foreach (var output in graph.Outputs)
        {
            if (output.Value.Producer is not { } producer)
                throw new NotSupportedException($"Output '{output.Name}' is the graph input {output.Value.Ref} itself; the DirectML graph builder needs an operator to produce every output (an identity copy is not lowered yet).");
            pending.Push(producer);
        }
        while (pending.TryPop(out var node))
        {
            if (!live.Add(node))
                continue;
            foreach (var input in node.Inputs)
            {
                if (input.Producer is { } p)
                    pending.Push(p);
            }
        }
        return graph.Nodes.Where(live.Contains).ToArray();
    }

    static void Check(Node node)
    {
        var type = node.Op.GetType();
        if (!LoweredOps.Contains(type))
        {
            var plan = OpMapping.ByOp.TryGetValue(type, out var p)
                ? $"planned: {(p.Operators.Length == 0 ? "no operator" : string.Join(", ", p.Operators.Distinct()))} ({p.How})"
                : "no plan in OpMapping";
            throw new NotSupportedException(
                $"The DirectML graph builder does not lower op '{node.Op.Name}' ({type.Name}) yet, at {Where(node)}; {plan}. " +
                "Lowered so far: matmul (2-D), add, sub, mul, relu, exp.");
        }
        foreach (var value in node.Inputs.Concat(node.Outputs))
        {
            if (value.DType != DType.Float32)
                throw new NotSupportedException($"The DirectML graph builder lowers float32 only; {value} at {Where(node)}.");
            if (value.Rank > DimensionCount)
                throw new NotSupportedException($"The DirectML graph builder lowers tensors of rank ≤ {DimensionCount}; {value} at {Where(node)}.");
        }
        if (node.Op is MatMulOp && (node.Inputs[0].Rank != 2 || node.Inputs[1].Rank != 2))
            throw new NotSupportedException($"The DirectML graph builder lowers 2-D matmul only (batched GEMM is planned); {node.Inputs[0]} @ {node.Inputs[1]} at {Where(node)}.");
    }

    static string Where(Node node) => $"node {node.Index} '{node.Op.Describe()}'" + (node.Scope.Length == 0 ? "" : $" in '{node.Scope}'");

    static string NodeName(Node node, int index) => node.Scope.Length == 0 ? $"{index}:{node.Op.Name}" : $"{index}:{node.Scope}.{node.Op.Name}";

    /// <summary>The operator description of one node, its tensors described in the arena.</summary>
    static DML_OPERATOR_DESC* Lower(DmlNativeArena arena, Node node)
    {
        var result = arena.Alloc<DML_OPERATOR_DESC>();
        var output = node.Output;
        switch (node.Op)
        {
            case MatMulOp m:
                {
                    var gemm = arena.Alloc<DML_GEMM_OPERATOR_DESC>();
                    gemm->ATensor = TensorDesc(arena, node.Inputs[0].Shape);
                    gemm->BTensor = TensorDesc(arena, node.Inputs[1].Shape);
                    gemm->CTensor = null;
                    gemm->OutputTensor = TensorDesc(arena, output.Shape);
                    gemm->TransA = m.TransposeA ? DML_MATRIX_TRANSFORM.DML_MATRIX_TRANSFORM_TRANSPOSE : DML_MATRIX_TRANSFORM.DML_MATRIX_TRANSFORM_NONE;
                    gemm->TransB = m.TransposeB ? DML_MATRIX_TRANSFORM.DML_MATRIX_TRANSFORM_TRANSPOSE : DML_MATRIX_TRANSFORM.DML_MATRIX_TRANSFORM_NONE;
                    gemm->Alpha = 1f;
                    gemm->Beta = 0f;
                    gemm->FusedActivation = null;
                    *result = new DML_OPERATOR_DESC { Type = DML_OPERATOR_GEMM, Desc = gemm };
                    break;
                }
            case AddOp or SubOp or MulOp:
                {
                    // The three descriptions share one layout {ATensor, BTensor, OutputTensor}.
                    var binary = arena.Alloc<DML_ELEMENT_WISE_ADD_OPERATOR_DESC>();
                    binary->ATensor = TensorDesc(arena, node.Inputs[0].Shape, output.Shape);
                    binary->BTensor = TensorDesc(arena, node.Inputs[1].Shape, output.Shape);
                    binary->OutputTensor = TensorDesc(arena, output.Shape);
                    var type = node.Op switch
                    {
                        AddOp => DML_OPERATOR_ELEMENT_WISE_ADD,
                        SubOp => DML_OPERATOR_ELEMENT_WISE_SUBTRACT,
                        _ => DML_OPERATOR_ELEMENT_WISE_MULTIPLY,
                    };
                    *result = new DML_OPERATOR_DESC { Type = type, Desc = binary };
                    break;
                }
            case ReluOp:
                {
                    var relu = arena.Alloc<DML_ACTIVATION_RELU_OPERATOR_DESC>();
                    relu->InputTensor = TensorDesc(arena, node.Inputs[0].Shape);
                    relu->OutputTensor = TensorDesc(arena, output.Shape);
                    *result = new DML_OPERATOR_DESC { Type = DML_OPERATOR_ACTIVATION_RELU, Desc = relu };
                    break;
                }
            case ExpOp:
                {
                    var exp = arena.Alloc<DML_ELEMENT_WISE_EXP_OPERATOR_DESC>();
                    exp->InputTensor = TensorDesc(arena, node.Inputs[0].Shape);
                    exp->OutputTensor = TensorDesc(arena, output.Shape);
                    exp->ScaleBias = null;
                    *result = new DML_OPERATOR_DESC { Type = DML_OPERATOR_ELEMENT_WISE_EXP, Desc = exp };
                    break;
                }
            default:
                throw new NotSupportedException($"No lowering for {node.Op.Describe()}.");
        }
        return result;
    }

    /// <summary>
    /// A float32 buffer tensor holding <paramref name="shape"/> packed, read as
    /// <paramref name="viewAs"/> (a NumPy broadcast of it) when given: broadcast dimensions get
    /// stride 0, so the buffer's size stays that of the packed tensor.
    /// </summary>
    internal static DML_TENSOR_DESC* TensorDesc(DmlNativeArena arena, Shape shape, Shape? viewAs = null)
    {
        var stored = Pad(shape);
        var sizes = viewAs is null ? stored : Pad(viewAs);
        uint[]? strides = null;
        if (!sizes.AsSpan().SequenceEqual(stored))
        {
            strides = new uint[DimensionCount];
            uint packed = 1;
            for (var d = DimensionCount - 1; d >= 0; d--)
            {
                if (stored[d] != sizes[d] && stored[d] != 1)
                    throw new ArgumentException($"{shape} does not broadcast to {viewAs}.", nameof(viewAs));
                strides[d] = stored[d] == 1 ? 0 : packed;
                packed *= stored[d];
            }
        }

        var buffer = arena.Alloc<DML_BUFFER_TENSOR_DESC>();
        buffer->DataType = DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32;
        buffer->Flags = DML_TENSOR_FLAGS.DML_TENSOR_FLAG_NONE;
        buffer->DimensionCount = DimensionCount;
        buffer->Sizes = arena.Copy<uint>(sizes);
        buffer->Strides = strides is null ? null : arena.Copy<uint>(strides);
        buffer->TotalTensorSizeInBytes = DmlBufferTensor.CalcBufferTensorSize(buffer->DataType, sizes, strides);
        buffer->GuaranteedBaseOffsetAlignment = 0;

        var tensor = arena.Alloc<DML_TENSOR_DESC>();
        tensor->Type = DML_TENSOR_TYPE.DML_TENSOR_TYPE_BUFFER;
        tensor->Desc = buffer;
        return tensor;
    }

    /// <summary>The shape as <see cref="DimensionCount"/> sizes, leading 1s first.</summary>
    static uint[] Pad(Shape shape)
    {
        var sizes = new uint[DimensionCount];
        var lead = DimensionCount - shape.Rank;
        for (var d = 0; d < DimensionCount; d++)
            sizes[d] = d < lead ? 1u : checked((uint)shape[d - lead]);
        return sizes;
    }
}
