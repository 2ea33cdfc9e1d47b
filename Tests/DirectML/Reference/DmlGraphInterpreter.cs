using Dsl.Backend.DirectML.Interop;
using static Dsl.Backend.DirectML.Interop.DML_OPERATOR_TYPE;

namespace Dsl.Tests.DirectML.Reference;

/// <summary>
/// Test support, the seed of the reference device: executes a native <see cref="DML_GRAPH_DESC"/>
/// on the CPU. Buffers hold one float per element whatever the tensor's data type (FLOAT32,
/// UINT8, INT32, INT64: exact for integers below 2^24; UINT32: the element's 32 bits, exact — see
/// <see cref="Load"/>); their byte sizes are checked with the data
/// type's element size. It reads the description only through its pointers, as
/// DirectML's <c>CompileGraph</c> would (counts, node and edge arrays, operator descriptions,
/// buffer tensor sizes, strides and byte sizes), and checks what DirectML would reject: edge
/// types, node input/output bindings (each exactly once), cycles, data types, and buffers smaller
/// than their tensors' <c>TotalTensorSizeInBytes</c> or the extent their sizes and strides reach.
/// Operators: GEMM (leading dimensions 1, optional C, no fused activation), ELEMENT_WISE_ADD /
/// SUBTRACT / MULTIPLY / DIVIDE / MAX / MIN, ACTIVATION_RELU / SIGMOID, ACTIVATION_RELU_GRAD, ELEMENT_WISE_SIGN, and
/// ELEMENT_WISE_IDENTITY / EXP / ABS / SQRT / LOG / TANH / ERF / RECIP (optional scale-bias), ELEMENT_WISE_CONSTANT_POW, REDUCE
/// (SUM, AVERAGE, MAX; reduced output dimensions of size 1), ACTIVATION_SOFTMAX / LOG_SOFTMAX
/// (effective rank ≤ 2, over the last dimension), SLICE1 (positive strides), JOIN,
/// ELEMENT_WISE_LOGICAL_EQUALS / GREATER_THAN (UINT8 output), ELEMENT_WISE_IF (UINT8 condition), CAST (truncating to integers), GATHER
/// (IndexDimensions 1), GATHER_ELEMENTS (INT64 or INT32 indices, in range).
/// </summary>
internal static unsafe partial class DmlGraphInterpreter
{
    /// <summary>Runs the graph; <paramref name="inputs"/> and the result are indexed by graph input/output index.</summary>
    public static float[][] Execute(DML_GRAPH_DESC* graph, ReferenceOperators operators, IReadOnlyList<float[]> inputs)
    {
        if (graph == null)
            throw new ArgumentNullException(nameof(graph));
        if (inputs.Count != graph->InputCount)
            throw new ArgumentException($"The graph has {graph->InputCount} inputs, {inputs.Count} were given.");

        var nodeCount = (int)graph->NodeCount;
        var ops = new DML_OPERATOR_DESC*[nodeCount];
        for (var i = 0; i < nodeCount; i++)
        {
            var node = graph->Nodes[i];
            Require(node.Type == DML_GRAPH_NODE_TYPE.DML_GRAPH_NODE_TYPE_OPERATOR, $"node {i}: type {node.Type}");
            ops[i] = operators.Resolve(((DML_OPERATOR_GRAPH_NODE_DESC*)node.Desc)->Operator);
        }

        // Where each node input comes from: (-1, graph input index) or (node, output index).
        var signatures = new OperatorSignature[nodeCount];
        for (var i = 0; i < nodeCount; i++)
            signatures[i] = Signature(ops[i]);
        var sources = new Dictionary<(int Node, int Input), (int FromNode, int Index)>();
        for (var e = 0; e < graph->InputEdgeCount; e++)
        {
            Require(graph->InputEdges[e].Type == DML_GRAPH_EDGE_TYPE.DML_GRAPH_EDGE_TYPE_INPUT, $"input edge {e}: type {graph->InputEdges[e].Type}");
            var edge = (DML_INPUT_GRAPH_EDGE_DESC*)graph->InputEdges[e].Desc;
            Require(edge->GraphInputIndex < graph->InputCount && edge->ToNodeIndex < graph->NodeCount, $"input edge {e}: index out of range");
            Require(sources.TryAdd(((int)edge->ToNodeIndex, (int)edge->ToNodeInputIndex), (-1, (int)edge->GraphInputIndex)), $"input edge {e}: node input bound twice");
        }
        for (var e = 0; e < graph->IntermediateEdgeCount; e++)
        {
            Require(graph->IntermediateEdges[e].Type == DML_GRAPH_EDGE_TYPE.DML_GRAPH_EDGE_TYPE_INTERMEDIATE, $"intermediate edge {e}: type {graph->IntermediateEdges[e].Type}");
            var edge = (DML_INTERMEDIATE_GRAPH_EDGE_DESC*)graph->IntermediateEdges[e].Desc;
            Require(edge->FromNodeIndex < graph->NodeCount && edge->ToNodeIndex < graph->NodeCount, $"intermediate edge {e}: index out of range");
            Require(HasOutput(signatures[edge->FromNodeIndex], edge->FromNodeOutputIndex), $"intermediate edge {e}: node {edge->FromNodeIndex} has no output {edge->FromNodeOutputIndex}");
            Require(sources.TryAdd(((int)edge->ToNodeIndex, (int)edge->ToNodeInputIndex), ((int)edge->FromNodeIndex, (int)edge->FromNodeOutputIndex)), $"intermediate edge {e}: node input bound twice");
        }

        for (var i = 0; i < nodeCount; i++)
        {
            var slots = signatures[i].Inputs;
            for (var j = 0; j < slots.Length; j++)
                Require(slots[j] is null || sources.ContainsKey((i, j)), $"node {i} ({ops[i]->Type}): input {j} has no edge");
        }
        // Every edge must land on an input the operator has (optional inputs left null take none).
        foreach (var ((node, input), _) in sources)
            Require(input < signatures[node].Inputs.Length && signatures[node].Inputs[input] is not null, $"an edge targets input {input} of node {node} ({ops[node]->Type}), which the operator does not have");

        // Execute in dependency order (the description need not be sorted).
        var outputsOfNode = new float[]?[nodeCount][];
        for (var remaining = nodeCount; remaining > 0;)
        {
            var progressed = false;
            for (var i = 0; i < nodeCount; i++)
            {
                if (outputsOfNode[i] is not null)
                    continue;
                var inputCount = signatures[i].Inputs.Length;
                var buffers = new float[]?[inputCount];
                var ready = true;
                for (var j = 0; j < inputCount && ready; j++)
                {
                    if (signatures[i].Inputs[j] is null)
                        continue;
                    var (from, index) = sources[(i, j)];
                    var buffer = from < 0 ? inputs[index] : outputsOfNode[from]?[index];
                    if (buffer is null)
                        ready = false;
                    else
                        buffers[j] = buffer;
                }
                if (!ready)
                    continue;
                outputsOfNode[i] = RunOperator(ops[i], signatures[i], buffers, $"node {i} ({ops[i]->Type})");
                remaining--;
                progressed = true;
            }
            Require(progressed, "the graph has a cycle");
        }

        var results = new float[]?[graph->OutputCount];
        for (var e = 0; e < graph->OutputEdgeCount; e++)
        {
            Require(graph->OutputEdges[e].Type == DML_GRAPH_EDGE_TYPE.DML_GRAPH_EDGE_TYPE_OUTPUT, $"output edge {e}: type {graph->OutputEdges[e].Type}");
            var edge = (DML_OUTPUT_GRAPH_EDGE_DESC*)graph->OutputEdges[e].Desc;
            Require(edge->GraphOutputIndex < graph->OutputCount && edge->FromNodeIndex < graph->NodeCount, $"output edge {e}: index out of range");
            Require(HasOutput(signatures[edge->FromNodeIndex], edge->FromNodeOutputIndex), $"output edge {e}: node {edge->FromNodeIndex} has no output {edge->FromNodeOutputIndex}");
            Require(results[edge->GraphOutputIndex] is null, $"graph output {edge->GraphOutputIndex} bound twice");
            results[edge->GraphOutputIndex] = (float[])outputsOfNode[edge->FromNodeIndex]![edge->FromNodeOutputIndex]!.Clone();
        }
        for (var k = 0; k < results.Length; k++)
            Require(results[k] is not null, $"graph output {k} has no edge");
        return results!;
    }

    static bool HasOutput(OperatorSignature signature, uint index) => index < signature.Outputs.Length && signature.Outputs[index] is not null;

    /// <summary>
    /// The operator's tensors in binding order: inputs (null where an optional input is left out,
    /// which then takes no edge) and outputs (null where an optional output is not requested).
    /// </summary>
    internal sealed record OperatorSignature(TensorDesc?[] Inputs, TensorDesc?[] Outputs);

    /// <summary>An operator implemented in a family file: its signature and its execution.</summary>
    internal sealed record FamilyOperator(SignatureReader Signature, OperatorRunner Run);

    /// <summary>Reads an operator's tensors from its description.</summary>
    internal delegate OperatorSignature SignatureReader(DML_OPERATOR_DESC* op);

    /// <summary>
    /// Runs an operator: <paramref name="inputs"/> parallel to the signature's inputs (null where
    /// left out); returns one buffer per output (null where not requested), each holding one
    /// float per element of the output's <c>TotalTensorSizeInBytes</c>.
    /// </summary>
    internal delegate float[]?[] OperatorRunner(DML_OPERATOR_DESC* op, OperatorSignature signature, float[]?[] inputs, string where);

    /// <summary>
    /// Operators implemented by family files (one registration method each), looked up before the
    /// single-output operators of this file. A family file defines its <c>Register…</c> method.
    /// </summary>
    static readonly Dictionary<DML_OPERATOR_TYPE, FamilyOperator> Families = RegisterFamilies();

    static Dictionary<DML_OPERATOR_TYPE, FamilyOperator> RegisterFamilies()
    {
        var table = new Dictionary<DML_OPERATOR_TYPE, FamilyOperator>();
        RegisterConvolution(table);
        RegisterNormalization(table);
        RegisterIndexing(table);
        return table;
    }

    static partial void RegisterConvolution(Dictionary<DML_OPERATOR_TYPE, FamilyOperator> table);
    static partial void RegisterNormalization(Dictionary<DML_OPERATOR_TYPE, FamilyOperator> table);
    static partial void RegisterIndexing(Dictionary<DML_OPERATOR_TYPE, FamilyOperator> table);

    static OperatorSignature Signature(DML_OPERATOR_DESC* op)
    {
        if (Families.TryGetValue(op->Type, out var family))
            return family.Signature(op);
        var tensors = Tensors(op);
        return new OperatorSignature(tensors[..^1], [tensors[^1]]);
    }

    static float[]?[] RunOperator(DML_OPERATOR_DESC* op, OperatorSignature signature, float[]?[] inputs, string where)
    {
        for (var j = 0; j < inputs.Length; j++)
        {
            if (signature.Inputs[j] is { } t)
                Require((ulong)inputs[j]!.Length * t.ElementSize >= t.TotalBytes, $"{where}: input {j} buffer holds {inputs[j]!.Length * t.ElementSize} bytes, the tensor needs {t.TotalBytes}");
        }
        if (Families.TryGetValue(op->Type, out var family))
            return family.Run(op, signature, inputs, where);
        return [Run(op, [.. signature.Inputs!, signature.Outputs[0]!], inputs!, where)];
    }

    /// <summary>A buffer tensor as read from its description.</summary>
    internal sealed record TensorDesc(uint[] Sizes, uint[] Strides, ulong TotalBytes, DML_TENSOR_DATA_TYPE DataType)
    {
        /// <summary>Bytes per element of <see cref="DataType"/>.</summary>
        public uint ElementSize => ElementSizeOf(DataType);

        /// <summary>How many elements a buffer of <see cref="TotalBytes"/> holds.</summary>
        public long BufferElements => (long)(TotalBytes / ElementSize);

        public long ElementCount => Sizes.Aggregate(1L, (a, s) => a * s);

        /// <summary>Element offset of a multi-index.</summary>
        public long Offset(ReadOnlySpan<uint> index)
        {
            long offset = 0;
            for (var d = 0; d < index.Length; d++)
                offset += (long)index[d] * Strides[d];
            return offset;
        }
    }

    /// <summary>The operator's input tensors in binding order, then its output tensor.</summary>
    static TensorDesc[] Tensors(DML_OPERATOR_DESC* op)
    {
        switch (op->Type)
        {
            case DML_OPERATOR_GEMM:
                {
                    var d = (DML_GEMM_OPERATOR_DESC*)op->Desc;
                    Require(d->FusedActivation == null, "GEMM: fused activations are not implemented by the reference");
                    return d->CTensor == null
                        ? [Read(d->ATensor), Read(d->BTensor), Read(d->OutputTensor)]
                        : [Read(d->ATensor), Read(d->BTensor), Read(d->CTensor), Read(d->OutputTensor)];
                }
            case DML_OPERATOR_ELEMENT_WISE_ADD or DML_OPERATOR_ELEMENT_WISE_SUBTRACT or DML_OPERATOR_ELEMENT_WISE_MULTIPLY:
                {
                    var d = (DML_ELEMENT_WISE_ADD_OPERATOR_DESC*)op->Desc;
                    return [Read(d->ATensor), Read(d->BTensor), Read(d->OutputTensor)];
                }
            case DML_OPERATOR_ELEMENT_WISE_DIVIDE:
                {
                    var d = (DML_ELEMENT_WISE_DIVIDE_OPERATOR_DESC*)op->Desc;
                    return [Read(d->ATensor), Read(d->BTensor), Read(d->OutputTensor)];
                }
            case DML_OPERATOR_ELEMENT_WISE_MAX:
                {
                    var d = (DML_ELEMENT_WISE_MAX_OPERATOR_DESC*)op->Desc;
                    return [Read(d->ATensor), Read(d->BTensor), Read(d->OutputTensor)];
                }
            case DML_OPERATOR_ELEMENT_WISE_MIN:
                {
                    var d = (DML_ELEMENT_WISE_MIN_OPERATOR_DESC*)op->Desc;
                    return [Read(d->ATensor), Read(d->BTensor), Read(d->OutputTensor)];
                }
            case DML_OPERATOR_ACTIVATION_RELU:
                {
                    var d = (DML_ACTIVATION_RELU_OPERATOR_DESC*)op->Desc;
                    return [Read(d->InputTensor), Read(d->OutputTensor)];
                }
            case DML_OPERATOR_ACTIVATION_RELU_GRAD:
                {
                    var d = (DML_ACTIVATION_RELU_GRAD_OPERATOR_DESC*)op->Desc;
                    return [Read(d->InputTensor), Read(d->InputGradientTensor), Read(d->OutputGradientTensor)];
                }
            case DML_OPERATOR_ACTIVATION_SIGMOID:
                {
                    var d = (DML_ACTIVATION_SIGMOID_OPERATOR_DESC*)op->Desc;
                    return [Read(d->InputTensor), Read(d->OutputTensor)];
                }
            case DML_OPERATOR_ELEMENT_WISE_SIGN:
                {
                    var d = (DML_ELEMENT_WISE_SIGN_OPERATOR_DESC*)op->Desc;
                    return [Read(d->InputTensor), Read(d->OutputTensor)];
                }
            case DML_OPERATOR_ELEMENT_WISE_EXP:
                {
                    var d = (DML_ELEMENT_WISE_EXP_OPERATOR_DESC*)op->Desc;
                    return [Read(d->InputTensor), Read(d->OutputTensor)];
                }
            case DML_OPERATOR_ELEMENT_WISE_IDENTITY or DML_OPERATOR_ELEMENT_WISE_ABS or DML_OPERATOR_ELEMENT_WISE_SQRT or DML_OPERATOR_ELEMENT_WISE_LOG
                or DML_OPERATOR_ELEMENT_WISE_TANH or DML_OPERATOR_ELEMENT_WISE_ERF or DML_OPERATOR_ELEMENT_WISE_RECIP:
                {
                    // These descriptions share one layout {InputTensor, OutputTensor, ScaleBias}.
                    var d = (DML_ELEMENT_WISE_IDENTITY_OPERATOR_DESC*)op->Desc;
                    return [Read(d->InputTensor), Read(d->OutputTensor)];
                }
            case DML_OPERATOR_SLICE_GRAD:
                {
                    var d = (DML_SLICE_GRAD_OPERATOR_DESC*)op->Desc;
                    return [Read(d->InputGradientTensor), Read(d->OutputGradientTensor)];
                }
            case DML_OPERATOR_FILL_VALUE_CONSTANT:
                return [Read(((DML_FILL_VALUE_CONSTANT_OPERATOR_DESC*)op->Desc)->OutputTensor)];
            case DML_OPERATOR_ELEMENT_WISE_CONSTANT_POW:
                {
                    var d = (DML_ELEMENT_WISE_CONSTANT_POW_OPERATOR_DESC*)op->Desc;
                    return [Read(d->InputTensor), Read(d->OutputTensor)];
                }
            case DML_OPERATOR_REDUCE:
                {
                    var d = (DML_REDUCE_OPERATOR_DESC*)op->Desc;
                    return [Read(d->InputTensor), Read(d->OutputTensor)];
                }
            case DML_OPERATOR_ACTIVATION_SOFTMAX:
                {
                    var d = (DML_ACTIVATION_SOFTMAX_OPERATOR_DESC*)op->Desc;
                    return [Read(d->InputTensor), Read(d->OutputTensor)];
                }
            case DML_OPERATOR_ACTIVATION_LOG_SOFTMAX:
                {
                    var d = (DML_ACTIVATION_LOG_SOFTMAX_OPERATOR_DESC*)op->Desc;
                    return [Read(d->InputTensor), Read(d->OutputTensor)];
                }
            case DML_OPERATOR_SLICE1:
                {
                    var d = (DML_SLICE1_OPERATOR_DESC*)op->Desc;
                    return [Read(d->InputTensor), Read(d->OutputTensor)];
                }
            case DML_OPERATOR_ELEMENT_WISE_IF:
                {
                    var d = (DML_ELEMENT_WISE_IF_OPERATOR_DESC*)op->Desc;
                    return [Read(d->ConditionTensor), Read(d->ATensor), Read(d->BTensor), Read(d->OutputTensor)];
                }
            case DML_OPERATOR_ELEMENT_WISE_LOGICAL_EQUALS:
                {
                    var d = (DML_ELEMENT_WISE_LOGICAL_EQUALS_OPERATOR_DESC*)op->Desc;
                    return [Read(d->ATensor), Read(d->BTensor), Read(d->OutputTensor)];
                }
            case DML_OPERATOR_ELEMENT_WISE_LOGICAL_GREATER_THAN:
                {
                    var d = (DML_ELEMENT_WISE_LOGICAL_GREATER_THAN_OPERATOR_DESC*)op->Desc;
                    return [Read(d->ATensor), Read(d->BTensor), Read(d->OutputTensor)];
                }
            case DML_OPERATOR_CAST:
                {
                    var d = (DML_CAST_OPERATOR_DESC*)op->Desc;
                    return [Read(d->InputTensor), Read(d->OutputTensor)];
                }
            case DML_OPERATOR_GATHER:
                {
                    var d = (DML_GATHER_OPERATOR_DESC*)op->Desc;
                    return [Read(d->InputTensor), Read(d->IndicesTensor), Read(d->OutputTensor)];
                }
            case DML_OPERATOR_GATHER_ELEMENTS:
                {
                    var d = (DML_GATHER_ELEMENTS_OPERATOR_DESC*)op->Desc;
                    return [Read(d->InputTensor), Read(d->IndicesTensor), Read(d->OutputTensor)];
                }
            case DML_OPERATOR_JOIN:
                {
                    var d = (DML_JOIN_OPERATOR_DESC*)op->Desc;
                    Require(d->InputCount >= 1 && d->InputTensors != null, $"JOIN: {d->InputCount} inputs");
                    var list = new List<TensorDesc>();
                    for (var j = 0; j < d->InputCount; j++)
                        list.Add(Read(&d->InputTensors[j]));
                    list.Add(Read(d->OutputTensor));
                    return [.. list];
                }
            default:
                throw new NotSupportedException($"The reference interpreter does not implement {op->Type}.");
        }
    }

    static TensorDesc Read(DML_TENSOR_DESC* tensor)
    {
        Require(tensor != null && tensor->Type == DML_TENSOR_TYPE.DML_TENSOR_TYPE_BUFFER && tensor->Desc != null, "tensor: not a buffer tensor");
        var b = (DML_BUFFER_TENSOR_DESC*)tensor->Desc;
        Require(b->DataType is DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32 or DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT8
            or DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT32 or DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT64
            or DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT32, $"tensor: data type {b->DataType}");
        Require(b->Flags == DML_TENSOR_FLAGS.DML_TENSOR_FLAG_NONE, $"tensor: flags {b->Flags}");
        var n = (int)b->DimensionCount;
        Require(n is >= 1 and <= (int)DmlConstants.DML_TENSOR_DIMENSION_COUNT_MAX1 && b->Sizes != null, $"tensor: {n} dimensions");
        var sizes = new ReadOnlySpan<uint>(b->Sizes, n).ToArray();
        Require(sizes.All(s => s > 0), "tensor: empty dimension");
        uint[] strides;
        if (b->Strides == null)
        {
            strides = new uint[n];
            uint packed = 1;
            for (var d = n - 1; d >= 0; d--)
            {
                strides[d] = packed;
                packed *= sizes[d];
            }
        }
        else
        {
            strides = new ReadOnlySpan<uint>(b->Strides, n).ToArray();
        }
        var desc = new TensorDesc(sizes, strides, b->TotalTensorSizeInBytes, b->DataType);
        // DirectML's rule: the byte size covers the last element the sizes and strides reach, rounded to 4.
        ulong lastIndex = 0;
        for (var d = 0; d < n; d++)
            lastIndex += (ulong)(sizes[d] - 1) * strides[d];
        var minimum = ((lastIndex + 1) * desc.ElementSize + 3) & ~3ul;
        Require(desc.TotalBytes >= minimum && desc.TotalBytes % 4 == 0, $"tensor: TotalTensorSizeInBytes {desc.TotalBytes} < {minimum}");
        return desc;
    }

    static float[] Run(DML_OPERATOR_DESC* op, TensorDesc[] tensors, float[][] inputs, string where)
    {
        for (var j = 0; j < inputs.Length; j++)
            Require((ulong)inputs[j].Length * tensors[j].ElementSize >= tensors[j].TotalBytes, $"{where}: input {j} buffer holds {inputs[j].Length * tensors[j].ElementSize} bytes, the tensor needs {tensors[j].TotalBytes}");
        // Data types: float32 throughout, except where an operator below says otherwise.
        switch (op->Type)
        {
            case DML_OPERATOR_CAST:
                break;
            case DML_OPERATOR_JOIN or DML_OPERATOR_SLICE1:
                // Data movement: one data type throughout, 32-bit integers too, but no INT64 (none at feature level 3_0).
                Require(tensors.All(t => t.DataType == tensors[0].DataType) && tensors[0].DataType != DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT64,
                    $"{where}: data types {string.Join(", ", tensors.Select(t => t.DataType))}");
                break;
            case DML_OPERATOR_GATHER or DML_OPERATOR_GATHER_ELEMENTS:
                Require(tensors[0].DataType == DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32 && tensors[2].DataType == DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32
                    && tensors[1].DataType is DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT64 or DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT32, $"{where}: data types {string.Join(", ", tensors.Select(t => t.DataType))}");
                break;
            case DML_OPERATOR_ELEMENT_WISE_SUBTRACT:
                // FLOAT32, or UINT32 (a SUBTRACT type at feature level 3_0; the max-pooling indices' plane offsets).
                Require(tensors.All(t => t.DataType == tensors[0].DataType) && tensors[0].DataType is DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32 or DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT32,
                    $"{where}: data types {string.Join(", ", tensors.Select(t => t.DataType))}");
                break;
            case DML_OPERATOR_REDUCE when ((DML_REDUCE_OPERATOR_DESC*)op->Desc)->Function == DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_ARGMAX:
                Require(tensors[0].DataType == DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32 && tensors[1].DataType == DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT32, $"{where}: data types {tensors[0].DataType} -> {tensors[1].DataType}");
                break;
            case DML_OPERATOR_ELEMENT_WISE_IF:
                Require(tensors[0].DataType == DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT8 && tensors.Skip(1).All(t => t.DataType == DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32),
                    $"{where}: data types {string.Join(", ", tensors.Select(t => t.DataType))}");
                break;
            case DML_OPERATOR_ELEMENT_WISE_LOGICAL_EQUALS or DML_OPERATOR_ELEMENT_WISE_LOGICAL_GREATER_THAN:
                Require(tensors[0].DataType == tensors[1].DataType && tensors[2].DataType == DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT8, $"{where}: data types {tensors[0].DataType}, {tensors[1].DataType} -> {tensors[2].DataType}");
                break;
            default:
                Require(tensors.All(t => t.DataType == DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32), $"{where}: data types {string.Join(", ", tensors.Select(t => t.DataType))}");
                break;
        }
        var outDesc = tensors[^1];
        var output = new float[outDesc.BufferElements];
        switch (op->Type)
        {
            case DML_OPERATOR_GEMM:
                Gemm((DML_GEMM_OPERATOR_DESC*)op->Desc, tensors, inputs, output, where);
                break;
            case DML_OPERATOR_ELEMENT_WISE_ADD:
                Elementwise(tensors, inputs, output, where, v => v[0] + v[1]);
                break;
            case DML_OPERATOR_ELEMENT_WISE_SUBTRACT:
                {
                    // UINT32 elements are stored as their bits: subtract the values, wrapping modulo 2^32 as the hardware does.
                    var type = tensors[^1].DataType;
                    if (type == DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT32)
                        Elementwise(tensors, inputs, output, where, v => Store(type, Load(type, v[0]) - Load(type, v[1])));
                    else
                        Elementwise(tensors, inputs, output, where, v => v[0] - v[1]);
                    break;
                }
            case DML_OPERATOR_ELEMENT_WISE_MULTIPLY:
                Elementwise(tensors, inputs, output, where, v => v[0] * v[1]);
                break;
            case DML_OPERATOR_ELEMENT_WISE_DIVIDE:
                Elementwise(tensors, inputs, output, where, v => v[0] / v[1]);
                break;
            case DML_OPERATOR_ELEMENT_WISE_MAX:
                Elementwise(tensors, inputs, output, where, v => MathF.Max(v[0], v[1]));
                break;
            case DML_OPERATOR_ELEMENT_WISE_MIN:
                Elementwise(tensors, inputs, output, where, v => MathF.Min(v[0], v[1]));
                break;
            case DML_OPERATOR_ACTIVATION_RELU:
                Elementwise(tensors, inputs, output, where, v => MathF.Max(v[0], 0f));
                break;
            case DML_OPERATOR_ACTIVATION_RELU_GRAD:
                // X = the input (v[0]), dY = the input gradient (v[1]).
                Elementwise(tensors, inputs, output, where, v => v[0] > 0 ? v[1] : 0f);
                break;
            case DML_OPERATOR_ACTIVATION_SIGMOID:
                Elementwise(tensors, inputs, output, where, v => 1f / (1f + MathF.Exp(-v[0])));
                break;
            case DML_OPERATOR_ELEMENT_WISE_SIGN:
                Elementwise(tensors, inputs, output, where, v => MathF.Sign(v[0]));
                break;
            case DML_OPERATOR_ELEMENT_WISE_IDENTITY or DML_OPERATOR_ELEMENT_WISE_ABS or DML_OPERATOR_ELEMENT_WISE_SQRT or DML_OPERATOR_ELEMENT_WISE_LOG
                or DML_OPERATOR_ELEMENT_WISE_TANH or DML_OPERATOR_ELEMENT_WISE_ERF or DML_OPERATOR_ELEMENT_WISE_RECIP:
                {
                    var scaleBias = ((DML_ELEMENT_WISE_IDENTITY_OPERATOR_DESC*)op->Desc)->ScaleBias;
                    float scale = scaleBias == null ? 1f : scaleBias->Scale, bias = scaleBias == null ? 0f : scaleBias->Bias;
                    Func<float, float> f = op->Type switch
                    {
                        DML_OPERATOR_ELEMENT_WISE_IDENTITY => x => x,
                        DML_OPERATOR_ELEMENT_WISE_ABS => MathF.Abs,
                        DML_OPERATOR_ELEMENT_WISE_SQRT => MathF.Sqrt,
                        DML_OPERATOR_ELEMENT_WISE_LOG => MathF.Log,
                        DML_OPERATOR_ELEMENT_WISE_TANH => MathF.Tanh,
                        DML_OPERATOR_ELEMENT_WISE_ERF => x => (float)Erf(x),
                        _ => x => 1f / x,
                    };
                    Elementwise(tensors, inputs, output, where, v => f(v[0] * scale + bias));
                    break;
                }
            case DML_OPERATOR_SLICE_GRAD:
                SliceGrad((DML_SLICE_GRAD_OPERATOR_DESC*)op->Desc, tensors, inputs[0], output, where);
                break;
            case DML_OPERATOR_FILL_VALUE_CONSTANT:
                {
                    var d = (DML_FILL_VALUE_CONSTANT_OPERATOR_DESC*)op->Desc;
                    Require(d->ValueDataType == DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32, $"{where}: fill value type {d->ValueDataType} is not implemented by the reference");
                    Elementwise(tensors, inputs, output, where, _ => d->Value.Float32);
                    break;
                }
            case DML_OPERATOR_ELEMENT_WISE_CONSTANT_POW:
                {
                    var d = (DML_ELEMENT_WISE_CONSTANT_POW_OPERATOR_DESC*)op->Desc;
                    float scale = d->ScaleBias == null ? 1f : d->ScaleBias->Scale, bias = d->ScaleBias == null ? 0f : d->ScaleBias->Bias, exponent = d->Exponent;
                    Elementwise(tensors, inputs, output, where, v => MathF.Pow(v[0] * scale + bias, exponent));
                    break;
                }
            case DML_OPERATOR_REDUCE:
                Reduce((DML_REDUCE_OPERATOR_DESC*)op->Desc, tensors, inputs[0], output, where);
                break;
            case DML_OPERATOR_ACTIVATION_SOFTMAX or DML_OPERATOR_ACTIVATION_LOG_SOFTMAX:
                Softmax(tensors, inputs[0], output, where, op->Type == DML_OPERATOR_ACTIVATION_LOG_SOFTMAX);
                break;
            case DML_OPERATOR_ELEMENT_WISE_LOGICAL_EQUALS:
                Elementwise(tensors, inputs, output, where, v => v[0] == v[1] ? 1f : 0f);
                break;
            case DML_OPERATOR_ELEMENT_WISE_IF:
                Elementwise(tensors, inputs, output, where, v => v[0] != 0 ? v[1] : v[2]);
                break;
            case DML_OPERATOR_ELEMENT_WISE_LOGICAL_GREATER_THAN:
                Elementwise(tensors, inputs, output, where, v => v[0] > v[1] ? 1f : 0f);
                break;
            case DML_OPERATOR_CAST:
                {
                    // To an integer type: truncation toward zero (C's conversion), as Torch's to(int64); UINT32 elements are stored as bits (Load, Store).
                    var (from, to) = (tensors[0].DataType, tensors[1].DataType);
                    Elementwise(tensors, inputs, output, where, v => Store(to, Load(from, v[0])));
                    break;
                }
            case DML_OPERATOR_GATHER:
                Gather(((DML_GATHER_OPERATOR_DESC*)op->Desc)->Axis, ((DML_GATHER_OPERATOR_DESC*)op->Desc)->IndexDimensions, false, tensors, inputs, output, where);
                break;
            case DML_OPERATOR_GATHER_ELEMENTS:
                Gather(((DML_GATHER_ELEMENTS_OPERATOR_DESC*)op->Desc)->Axis, 0, true, tensors, inputs, output, where);
                break;
            case DML_OPERATOR_SLICE1:
                Slice((DML_SLICE1_OPERATOR_DESC*)op->Desc, tensors, inputs[0], output, where);
                break;
            case DML_OPERATOR_JOIN:
                Join(((DML_JOIN_OPERATOR_DESC*)op->Desc)->Axis, tensors, inputs, output, where);
                break;
            case DML_OPERATOR_ELEMENT_WISE_EXP:
                {
                    var scaleBias = (float*)((DML_ELEMENT_WISE_EXP_OPERATOR_DESC*)op->Desc)->ScaleBias;
                    float scale = scaleBias == null ? 1f : scaleBias[0], bias = scaleBias == null ? 0f : scaleBias[1];
                    Elementwise(tensors, inputs, output, where, v => MathF.Exp(v[0] * scale + bias));
                    break;
                }
            default:
                throw new NotSupportedException($"{where}: not implemented by the reference interpreter.");
        }
        return output;
    }

    /// <summary>Element-wise: every tensor has the output's sizes; inputs broadcast through their strides.</summary>
    static void Elementwise(TensorDesc[] tensors, float[][] inputs, float[] output, string where, Func<float[], float> f)
    {
        var outDesc = tensors[^1];
        foreach (var t in tensors)
            Require(t.Sizes.AsSpan().SequenceEqual(outDesc.Sizes), $"{where}: sizes [{string.Join(",", t.Sizes)}] differ from the output's [{string.Join(",", outDesc.Sizes)}]");
        var index = new uint[outDesc.Sizes.Length];
        var values = new float[inputs.Length];
        for (long i = 0; i < outDesc.ElementCount; i++)
        {
            for (var j = 0; j < inputs.Length; j++)
                values[j] = inputs[j][tensors[j].Offset(index)];
            output[outDesc.Offset(index)] = f(values);
            Increment(index, outDesc.Sizes);
        }
    }

    /// <summary>GEMM over the last two dimensions; every leading dimension must be 1 here.</summary>
    static void Gemm(DML_GEMM_OPERATOR_DESC* d, TensorDesc[] tensors, float[][] inputs, float[] output, string where)
    {
        var (a, b, o) = (tensors[0], tensors[1], tensors[^1]);
        var n = o.Sizes.Length;
        foreach (var t in tensors)
        {
            Require(t.Sizes.Length == n, $"{where}: dimension counts differ");
            Require(t.Sizes.Take(n - 2).All(s => s == 1), $"{where}: batched GEMM is not implemented by the reference");
        }
        var transA = d->TransA == DML_MATRIX_TRANSFORM.DML_MATRIX_TRANSFORM_TRANSPOSE;
        var transB = d->TransB == DML_MATRIX_TRANSFORM.DML_MATRIX_TRANSFORM_TRANSPOSE;
        // A (after its transform) is M x K, B is K x N: strides of the logical rows and columns.
        uint m = o.Sizes[n - 2], cols = o.Sizes[n - 1];
        var k = transA ? a.Sizes[n - 2] : a.Sizes[n - 1];
        Require((transA ? a.Sizes[n - 1] : a.Sizes[n - 2]) == m, $"{where}: A rows differ from the output's");
        Require((transB ? b.Sizes[n - 1] : b.Sizes[n - 2]) == k, $"{where}: inner dimensions differ");
        Require((transB ? b.Sizes[n - 2] : b.Sizes[n - 1]) == cols, $"{where}: B columns differ from the output's");
        long aRow = transA ? a.Strides[n - 1] : a.Strides[n - 2], aCol = transA ? a.Strides[n - 2] : a.Strides[n - 1];
        long bRow = transB ? b.Strides[n - 1] : b.Strides[n - 2], bCol = transB ? b.Strides[n - 2] : b.Strides[n - 1];
        var c = tensors.Length == 4 ? tensors[2] : null;
        if (c is not null)
            Require(c.Sizes.AsSpan().SequenceEqual(o.Sizes), $"{where}: C's sizes differ from the output's");
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                var sum = 0f;
                for (var p = 0; p < k; p++)
                    sum += inputs[0][i * aRow + p * aCol] * inputs[1][p * bRow + j * bCol];
                var value = d->Alpha * sum;
                if (c is not null)
                    value += d->Beta * inputs[2][i * c.Strides[n - 2] + j * c.Strides[n - 1]];
                output[i * o.Strides[n - 2] + j * o.Strides[n - 1]] = value;
            }
        }
    }

    /// <summary>REDUCE: every output dimension equals the input's, or is 1 where it is one of the axes.</summary>
    static void Reduce(DML_REDUCE_OPERATOR_DESC* d, TensorDesc[] tensors, float[] input, float[] output, string where)
    {
        var (x, o) = (tensors[0], tensors[1]);
        var n = x.Sizes.Length;
        Require(o.Sizes.Length == n, $"{where}: dimension counts differ");
        Require(d->AxisCount is > 0 && d->AxisCount <= n && d->Axes != null, $"{where}: {d->AxisCount} axes");
        var axes = new ReadOnlySpan<uint>(d->Axes, (int)d->AxisCount).ToArray();
        Require(axes.All(a => a < n) && axes.Distinct().Count() == axes.Length, $"{where}: axes [{string.Join(",", axes)}]");
        for (var a = 0; a < n; a++)
            Require(o.Sizes[a] == (axes.Contains((uint)a) ? 1u : x.Sizes[a]), $"{where}: output sizes [{string.Join(",", o.Sizes)}] do not reduce [{string.Join(",", x.Sizes)}] over [{string.Join(",", axes)}]");
        var count = axes.Aggregate(1L, (p, a) => p * x.Sizes[a]);
        if (d->Function == DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_ARGMAX)
        {
            ArgMax(axes, x, o, input, output, where);
            return;
        }
        var (init, combine) = d->Function switch
        {
            DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_SUM or DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_AVERAGE => (0f, (Func<float, float, float>)((acc, v) => acc + v)),
            DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_MAX => (float.NegativeInfinity, MathF.Max),
            DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_MIN => (float.PositiveInfinity, MathF.Min),
            DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_SUM_SQUARE => (0f, (acc, v) => acc + v * v),
            // log(Σ exp): a running log-sum, shifted by the larger term for stability.
            DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_LOG_SUM_EXP => (float.NegativeInfinity, (Func<float, float, float>)((acc, v) =>
            {
                if (float.IsNegativeInfinity(acc))
                    return v;
                var m = MathF.Max(acc, v);
                return m + MathF.Log(MathF.Exp(acc - m) + MathF.Exp(v - m));
            })),
            _ => throw new NotSupportedException($"{where}: reduce function {d->Function} is not implemented by the reference."),
        };
        var index = new uint[n];
        var outIndex = new uint[n];
        for (long i = 0; i < o.ElementCount; i++)
        {
            output[o.Offset(index)] = init;
            Increment(index, o.Sizes);
        }
        Array.Clear(index);
        for (long i = 0; i < x.ElementCount; i++)
        {
            for (var a = 0; a < n; a++)
                outIndex[a] = o.Sizes[a] == 1 ? 0 : index[a];
            var at = o.Offset(outIndex);
            output[at] = combine(output[at], input[x.Offset(index)]);
            Increment(index, x.Sizes);
        }
        if (d->Function == DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_AVERAGE)
        {
            Array.Clear(index);
            for (long i = 0; i < o.ElementCount; i++)
            {
                output[o.Offset(index)] /= count;
                Increment(index, o.Sizes);
            }
        }
    }

    /// <summary>REDUCE ARGMAX over one axis: the index of the first maximum along it, as UINT32 bits.</summary>
    static void ArgMax(uint[] axes, TensorDesc x, TensorDesc o, float[] input, float[] output, string where)
    {
        Require(axes.Length == 1, $"{where}: ARGMAX over {axes.Length} axes is not implemented by the reference");
        var axis = (int)axes[0];
        var index = new uint[x.Sizes.Length];
        for (long i = 0; i < o.ElementCount; i++)
        {
            var best = float.NegativeInfinity;
            uint at = 0;
            for (uint k = 0; k < x.Sizes[axis]; k++)
            {
                index[axis] = k;
                var v = input[x.Offset(index)];
                if (k == 0 || v > best)
                    (best, at) = (v, k);
            }
            index[axis] = 0;
            output[o.Offset(index)] = BitConverter.UInt32BitsToSingle(at);
            Increment(index, o.Sizes);
        }
    }

    /// <summary>
    /// ACTIVATION_(LOG_)SOFTMAX below feature level 5_1: effective rank ≤ 2 (every dimension but
    /// the last two is 1), normalized along the last dimension, computed in double.
    /// </summary>
    static void Softmax(TensorDesc[] tensors, float[] input, float[] output, string where, bool log)
    {
        var (x, o) = (tensors[0], tensors[1]);
        var n = x.Sizes.Length;
        Require(x.Sizes.AsSpan().SequenceEqual(o.Sizes), $"{where}: input and output sizes differ");
        Require(x.Sizes.Take(Math.Max(0, n - 2)).All(s => s == 1), $"{where}: effective rank above 2 (sizes [{string.Join(",", x.Sizes)}])");
        var rows = n >= 2 ? x.Sizes[n - 2] : 1u;
        var cols = x.Sizes[n - 1];
        long xRow = n >= 2 ? x.Strides[n - 2] : 0, xCol = x.Strides[n - 1];
        long oRow = n >= 2 ? o.Strides[n - 2] : 0, oCol = o.Strides[n - 1];
        for (long r = 0; r < rows; r++)
        {
            var max = double.NegativeInfinity;
            for (long c = 0; c < cols; c++)
                max = Math.Max(max, input[r * xRow + c * xCol]);
            double sum = 0;
            for (long c = 0; c < cols; c++)
                sum += Math.Exp(input[r * xRow + c * xCol] - max);
            for (long c = 0; c < cols; c++)
            {
                var shifted = input[r * xRow + c * xCol] - max;
                output[r * oRow + c * oCol] = (float)(log ? shifted - Math.Log(sum) : Math.Exp(shifted) / sum);
            }
        }
    }

    /// <summary>SLICE1 with positive strides: output index i reads input offset + i · stride per dimension, inside the window.</summary>
    static void Slice(DML_SLICE1_OPERATOR_DESC* d, TensorDesc[] tensors, float[] input, float[] output, string where)
    {
        var (x, o) = (tensors[0], tensors[1]);
        var n = x.Sizes.Length;
        Require(d->DimensionCount == n && o.Sizes.Length == n, $"{where}: DimensionCount {d->DimensionCount}, tensors of {n} and {o.Sizes.Length} dimensions");
        Require(d->InputWindowOffsets != null && d->InputWindowSizes != null && d->InputWindowStrides != null, $"{where}: null window arrays");
        var offsets = new ReadOnlySpan<uint>(d->InputWindowOffsets, n).ToArray();
        var sizes = new ReadOnlySpan<uint>(d->InputWindowSizes, n).ToArray();
        var strides = new ReadOnlySpan<int>(d->InputWindowStrides, n).ToArray();
        for (var a = 0; a < n; a++)
        {
            Require(strides[a] > 0, $"{where}: stride {strides[a]} (negative strides are not implemented by the reference)");
            Require((ulong)offsets[a] + sizes[a] <= x.Sizes[a], $"{where}: window [{offsets[a]}, +{sizes[a]}) outside dimension {a} of size {x.Sizes[a]}");
            Require(o.Sizes[a] == (sizes[a] + (uint)strides[a] - 1) / (uint)strides[a], $"{where}: output size {o.Sizes[a]} is not ⌈{sizes[a]} / {strides[a]}⌉ in dimension {a}");
        }
        var index = new uint[n];
        var inIndex = new uint[n];
        for (long i = 0; i < o.ElementCount; i++)
        {
            for (var a = 0; a < n; a++)
                inIndex[a] = offsets[a] + index[a] * (uint)strides[a];
            output[o.Offset(index)] = input[x.Offset(inIndex)];
            Increment(index, o.Sizes);
        }
    }

    /// <summary>SLICE_GRAD: zeros, with the input gradient written into the window of the output gradient.</summary>
    static void SliceGrad(DML_SLICE_GRAD_OPERATOR_DESC* d, TensorDesc[] tensors, float[] input, float[] output, string where)
    {
        var (dy, o) = (tensors[0], tensors[1]);
        var n = o.Sizes.Length;
        Require(d->DimensionCount == n && dy.Sizes.Length == n, $"{where}: DimensionCount {d->DimensionCount}, tensors of {dy.Sizes.Length} and {n} dimensions");
        Require(d->InputWindowOffsets != null && d->InputWindowSizes != null && d->InputWindowStrides != null, $"{where}: null window arrays");
        var offsets = new ReadOnlySpan<uint>(d->InputWindowOffsets, n).ToArray();
        var sizes = new ReadOnlySpan<uint>(d->InputWindowSizes, n).ToArray();
        var strides = new ReadOnlySpan<int>(d->InputWindowStrides, n).ToArray();
        for (var a = 0; a < n; a++)
        {
            Require(strides[a] > 0, $"{where}: stride {strides[a]} (negative strides are not implemented by the reference)");
            Require((ulong)offsets[a] + sizes[a] <= o.Sizes[a], $"{where}: window [{offsets[a]}, +{sizes[a]}) outside dimension {a} of size {o.Sizes[a]}");
            Require(dy.Sizes[a] == (sizes[a] + (uint)strides[a] - 1) / (uint)strides[a], $"{where}: input gradient size {dy.Sizes[a]} is not ⌈{sizes[a]} / {strides[a]}⌉ in dimension {a}");
        }
        var index = new uint[n];
        for (long i = 0; i < o.ElementCount; i++)
        {
            output[o.Offset(index)] = 0f;
            Increment(index, o.Sizes);
        }
        Array.Clear(index);
        var outIndex = new uint[n];
        for (long i = 0; i < dy.ElementCount; i++)
        {
            for (var a = 0; a < n; a++)
                outIndex[a] = offsets[a] + index[a] * (uint)strides[a];
            output[o.Offset(outIndex)] = input[dy.Offset(index)];
            Increment(index, dy.Sizes);
        }
    }

    /// <summary>JOIN: inputs agree with the output outside the axis; their sizes along it add up to the output's.</summary>
    static void Join(uint axis, TensorDesc[] tensors, float[][] inputs, float[] output, string where)
    {
        var o = tensors[^1];
        var n = o.Sizes.Length;
        Require(axis < n, $"{where}: axis {axis}");
        uint total = 0;
        for (var j = 0; j < inputs.Length; j++)
        {
            var t = tensors[j];
            Require(t.Sizes.Length == n, $"{where}: input {j} has {t.Sizes.Length} dimensions");
            for (var a = 0; a < n; a++)
                Require(a == axis || t.Sizes[a] == o.Sizes[a], $"{where}: input {j} sizes [{string.Join(",", t.Sizes)}] differ from the output's [{string.Join(",", o.Sizes)}] outside axis {axis}");
            var index = new uint[n];
            var outIndex = new uint[n];
            for (long i = 0; i < t.ElementCount; i++)
            {
                index.CopyTo(outIndex, 0);
                outIndex[axis] += total;
                output[o.Offset(outIndex)] = inputs[j][t.Offset(index)];
                Increment(index, t.Sizes);
            }
            total += t.Sizes[axis];
        }
        Require(total == o.Sizes[axis], $"{where}: inputs add up to {total} along axis {axis}, the output has {o.Sizes[axis]}");
    }

    /// <summary>
    /// GATHER with IndexDimensions 1 (indices [1, …, 1, n]; the output is the input with the axis'
    /// size n), or GATHER_ELEMENTS (indices and output of one size; the axis coordinate replaced).
    /// Indices must be in range (no negative wrap-around here).
    /// </summary>
    static void Gather(uint axis, uint indexDimensions, bool elements, TensorDesc[] tensors, float[][] inputs, float[] output, string where)
    {
        var (x, idx, o) = (tensors[0], tensors[1], tensors[2]);
        var n = x.Sizes.Length;
        Require(axis < n && idx.Sizes.Length == n && o.Sizes.Length == n, $"{where}: axis {axis} or dimension counts");
        if (elements)
        {
            Require(idx.Sizes.AsSpan().SequenceEqual(o.Sizes), $"{where}: indices and output sizes differ");
            for (var a = 0; a < n; a++)
                Require(a == axis || idx.Sizes[a] == x.Sizes[a], $"{where}: indices differ from the input outside axis {axis}");
        }
        else
        {
            Require(indexDimensions == 1 && idx.Sizes.Take(n - 1).All(s => s == 1), $"{where}: only IndexDimensions 1 with 1-D indices is implemented by the reference");
            for (var a = 0; a < n; a++)
                Require(o.Sizes[a] == (a == axis ? idx.Sizes[n - 1] : x.Sizes[a]), $"{where}: output sizes [{string.Join(",", o.Sizes)}]");
        }
        var index = new uint[n];
        var inIndex = new uint[n];
        var idxIndex = new uint[n];
        for (long i = 0; i < o.ElementCount; i++)
        {
            if (elements)
                index.CopyTo(idxIndex, 0);
            else
                idxIndex[n - 1] = index[axis];
            var at = inputs[1][idx.Offset(idxIndex)];
            Require(at >= 0 && at < x.Sizes[axis] && at == MathF.Floor(at), $"{where}: index {at} outside axis {axis} of size {x.Sizes[axis]}");
            index.CopyTo(inIndex, 0);
            inIndex[axis] = (uint)at;
            output[o.Offset(index)] = inputs[0][x.Offset(inIndex)];
            Increment(index, o.Sizes);
        }
    }

    static uint ElementSizeOf(DML_TENSOR_DATA_TYPE type) => type switch
    {
        DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT8 => 1,
        DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT64 => 8,
        _ => 4,
    };

    /// <summary>erf in double: its Maclaurin series below |x| = 4 (converges well there), ±1 beyond (float rounds erf(4) to 1).</summary>
    static double Erf(double x)
    {
        if (Math.Abs(x) >= 4)
            return Math.Sign(x);
        double sum = 0, term = x;
        for (var k = 0; k < 200; k++)
        {
            var add = term / (2 * k + 1);
            sum += add;
            if (Math.Abs(add) < 1e-17 * Math.Abs(sum))
                break;
            term *= -x * x / (k + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    static void Increment(uint[] index, uint[] sizes)
    {
        for (var d = index.Length - 1; d >= 0; d--)
        {
            if (++index[d] < sizes[d])
                return;
            index[d] = 0;
        }
    }

    static void Require(bool condition, string message)
    {
        if (!condition)
            throw new InvalidOperationException("Invalid DML_GRAPH_DESC: " + message);
    }
}
