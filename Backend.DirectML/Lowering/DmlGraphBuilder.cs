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
/// <c>IDMLDevice1::CompileGraph</c>. Slice so far, float32: MatMul (GEMM, batched, see DmlGraphBuilder.MatMul.cs);
/// Add/Sub/Mul/Div/Maximum/Minimum (element-wise, broadcasting by zero strides); Relu, ReluGrad (ACTIVATION_RELU_GRAD), Exp, Abs,
/// Sqrt, Log, Sigmoid, Tanh, Erf, Sign, Neg (identity with scale -1), Rsqrt (SQRT then RECIP, two
/// nodes); PowScalar (ELEMENT_WISE_CONSTANT_POW); Sum/Mean/Max over axes and LogSumExp over one (REDUCE, reduced dimensions kept as 1); Reshape and StopGradient
/// as aliases (no node: consumers read the producer's buffer); Permute and Expand as an identity
/// copy reading the input through permuted or zero strides; Softmax and LogSoftmax over the last
/// axis (ACTIVATION_SOFTMAX / LOG_SOFTMAX on a [1, 1, rows, last] view); Slice (SLICE1) and
/// Concat (JOIN); Greater and Equal (LOGICAL_GREATER_THAN / EQUALS to UINT8, then CAST); Cast
/// between float32 and int64 (CAST); Full (FILL_VALUE_CONSTANT, no inputs); SliceGrad (SLICE_GRAD); LayerNorm, BatchNorm and GELU as small operator graphs
/// (DmlGraphBuilder.Normalization.cs); convolution and pooling (DmlGraphBuilder.Convolution.cs); argsort, top-k, scatter/index add,
/// int64 moves (DmlGraphBuilder.Indexing.cs) and random ops (DmlGraphBuilder.Random.cs). Every tensor is described as a 4-D buffer tensor (leading
/// 1s), strides only where a broadcast needs them; higher ranks per the rank policy
/// (DmlGraphBuilder.Layout.cs). Graph inputs are
/// the values no node produces (inputs, parameters, buffers) and constants that some node reads, in
/// the graph's value order; graph outputs are the node-computed results, the Dsl outputs then each
/// update's new value (<see cref="DmlBuiltGraph.Results"/>). Nodes no result depends on are left out.
/// </summary>
internal static unsafe partial class DmlGraphBuilder
{
    /// <summary>Every tensor description has this many dimensions.</summary>
    public const int DimensionCount = 4;

    /// <summary>The IR ops this slice lowers.</summary>
    public static IReadOnlySet<Type> LoweredOps { get; } = new HashSet<Type>
    {
        typeof(MatMulOp), typeof(AddOp), typeof(SubOp), typeof(MulOp), typeof(DivOp), typeof(MaximumOp), typeof(MinimumOp),
        typeof(ReluOp), typeof(ReluGradOp), typeof(ExpOp), typeof(AbsOp), typeof(SqrtOp), typeof(LogOp), typeof(SigmoidOp), typeof(TanhOp),
        typeof(ErfOp), typeof(SignOp), typeof(NegOp), typeof(RsqrtOp), typeof(PowScalarOp),
        typeof(SumOp), typeof(MeanOp), typeof(MaxOp), typeof(LogSumExpOp),
        typeof(ReshapeOp), typeof(StopGradientOp), typeof(PermuteOp), typeof(ExpandOp),
        typeof(SoftmaxOp), typeof(LogSoftmaxOp), typeof(SliceOp), typeof(ConcatOp),
        typeof(GreaterOp), typeof(EqualOp), typeof(CastOp), typeof(GatherOp), typeof(TakeAlongAxisOp), typeof(FullOp), typeof(SliceGradOp),
        typeof(Conv2dOp), typeof(Conv2dInputGradOp), typeof(Conv2dWeightGradOp), typeof(MaxPool2dOp), typeof(AvgPool2dOp), typeof(AvgPool2dGradOp),
        typeof(ArgsortOp), typeof(TopKOp), typeof(ScatterAddOp), typeof(IndexAddOp), typeof(RandomUniformOp), typeof(RandomNormalOp),
        typeof(LayerNormOp), typeof(BatchNormOp), typeof(GeluOp),
        typeof(GeluGradOp), typeof(SoftmaxGradOp), typeof(LogSoftmaxGradOp), typeof(LayerNormGradOp), typeof(BatchNormGradOp),
        typeof(AttentionOp), typeof(AttentionGradOp),
    };

    const string LoweredList = "matmul (batched), add, sub, mul, div, maximum, minimum, relu, relu_grad, exp, abs, sqrt, log, sigmoid, tanh, erf, sign, neg, rsqrt, pow (constant exponent), sum, mean, max, logsumexp, reshape, stop_gradient, permute, expand, softmax and log_softmax (last axis), slice, concat, greater, equal, cast (float32 <-> int64), gather, take_along_axis, full (float32), slice_grad, conv2d, conv2d_input_grad, conv2d_weight_grad, max_pool2d, avg_pool2d, avg_pool2d_grad, argsort, top_k, scatter_add, index_add, random_uniform, random_normal, layer_norm, batch_norm, gelu, and as their decompositions gelu_grad, softmax_grad, log_softmax_grad, layer_norm_grad, batch_norm_grad, attention, attention_grad";

    /// <summary>
    /// Builds the native graph description; the result owns all its memory. <paramref name="featureLevel"/>:
    /// the device's level, which lets a few ops use a later single operator (GELU from 5_1).
    /// </summary>
    /// <exception cref="NotSupportedException">An op, dtype, rank or graph feature outside the slice.</exception>
    public static DmlBuiltGraph Build(Graph graph, DmlOperatorFactory createOperator, DML_FEATURE_LEVEL featureLevel = DirectMLAvailability.MinimumLevel)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(createOperator);
        if (graph.Outputs.Count == 0)
            throw new ArgumentException($"Graph '{graph.Name}' has no outputs: nothing to lower.", nameof(graph));
        var live = LiveNodes(graph);
        foreach (var node in live.Where(n => n.Op is not ConstantOp))
            Check(node);
        // Aliases (reshape, stop_gradient) get no DirectML node: their consumers read the producer's buffer.
        // Constants get none either: they are graph inputs the runtime uploads once.
        var nodes = live.Where(n => !IsAlias(n) && n.Op is not ConstantOp).ToArray();

        var results = Results(graph);
        // DirectML graph inputs are the graph values a node reads; results that are graph values are copied by the runtime.
        var used = nodes.SelectMany(n => n.Inputs).Select(Source).Where(IsGraphValue).ToHashSet();
        var inputs = graph.Values.Where(used.Contains).ToArray();
        var inputIndex = inputs.Select((v, i) => (v, i)).ToDictionary(p => p.v, p => p.i);
        // Where each Dsl node's outputs come from: (DirectML node, output index) per output.
        var nodeOutputs = new Dictionary<Node, DmlRead[]>();
        // The values some node or output reads (a lowering may skip outputs nothing reads).
        var read = nodes.SelectMany(n => n.Inputs).Concat(graph.Outputs.Select(o => o.Value)).Concat(graph.Updates.Select(u => u.Value)).Select(Source).ToHashSet();

        var arena = new DmlNativeArena();
        try
        {
            var operatorDescs = new List<nint>();
            var dslNodes = new List<Node>();
            var graphNodes = new List<DML_GRAPH_NODE_DESC>();
            var inputEdges = new List<DML_GRAPH_EDGE_DESC>();
            var intermediateEdges = new List<DML_GRAPH_EDGE_DESC>();
            foreach (var node in nodes)
            {
                var lowering = LowerParts(arena, node, read, featureLevel);
                var first = graphNodes.Count;
                for (var c = 0; c < lowering.Parts.Length; c++)
                {
                    var i = graphNodes.Count;
                    var opDesc = (DML_OPERATOR_DESC*)lowering.Parts[c].Desc;
                    operatorDescs.Add((nint)opDesc);
                    dslNodes.Add(node);
                    var op = createOperator(opDesc);
                    if (op is null)
                        throw new InvalidOperationException($"Creating the DirectML operator {opDesc->Type} for node {i} ({node.Op.Describe()}) returned null.");
                    var opNode = arena.Alloc<DML_OPERATOR_GRAPH_NODE_DESC>();
                    opNode->Operator = op;
                    opNode->Name = arena.Utf8(NodeName(node, i, c, lowering.Parts.Length));
                    graphNodes.Add(new DML_GRAPH_NODE_DESC { Type = DML_GRAPH_NODE_TYPE.DML_GRAPH_NODE_TYPE_OPERATOR, Desc = opNode });

                    var reads = lowering.Parts[c].Inputs;
                    for (var j = 0; j < reads.Length; j++)
                    {
                        if (reads[j].Part >= 0)
                        {
                            // An earlier operator of this node's lowering.
                            intermediateEdges.Add(Intermediate(arena, first + reads[j].Part, reads[j].Index, i, j));
                            continue;
                        }
                        var value = Source(node.Inputs[reads[j].Index]);
                        if (IsGraphValue(value))
                        {
                            var edge = arena.Alloc<DML_INPUT_GRAPH_EDGE_DESC>();
                            edge->GraphInputIndex = (uint)inputIndex[value];
                            edge->ToNodeIndex = (uint)i;
                            edge->ToNodeInputIndex = (uint)j;
                            inputEdges.Add(new DML_GRAPH_EDGE_DESC { Type = DML_GRAPH_EDGE_TYPE.DML_GRAPH_EDGE_TYPE_INPUT, Desc = edge });
                        }
                        else
                        {
                            var from = nodeOutputs[value.Producer!][value.OutputIndex];
                            intermediateEdges.Add(Intermediate(arena, from.Part, from.Index, i, j));
                        }
                    }
                }
                nodeOutputs[node] = lowering.Outputs.Select(o => o with { Part = first + o.Part }).ToArray();
            }

            // Results a node produces are graph outputs, in result order; the others (a graph value
            // itself, or an alias of one) the runtime copies from that value's buffer.
            var outputEdges = new List<DML_GRAPH_EDGE_DESC>();
            var resolved = new DmlResult[results.Length];
            for (var k = 0; k < results.Length; k++)
            {
                var value = Source(results[k].Value);
                if (IsGraphValue(value))
                {
                    resolved[k] = results[k] with { CopyOf = value };
                    continue;
                }
                var from = nodeOutputs[value.Producer!][value.OutputIndex];
                var edge = arena.Alloc<DML_OUTPUT_GRAPH_EDGE_DESC>();
                edge->FromNodeIndex = (uint)from.Part;
                edge->FromNodeOutputIndex = (uint)from.Index;
                edge->GraphOutputIndex = (uint)outputEdges.Count;
                resolved[k] = results[k] with { GraphOutputIndex = outputEdges.Count };
                outputEdges.Add(new DML_GRAPH_EDGE_DESC { Type = DML_GRAPH_EDGE_TYPE.DML_GRAPH_EDGE_TYPE_OUTPUT, Desc = edge });
            }

            var desc = arena.Alloc<DML_GRAPH_DESC>();
            desc->InputCount = (uint)inputs.Length;
            desc->OutputCount = (uint)outputEdges.Count;
            desc->NodeCount = (uint)graphNodes.Count;
            desc->Nodes = arena.Copy<DML_GRAPH_NODE_DESC>(graphNodes.ToArray());
            desc->InputEdgeCount = (uint)inputEdges.Count;
            desc->InputEdges = arena.Copy<DML_GRAPH_EDGE_DESC>(inputEdges.ToArray());
            desc->OutputEdgeCount = (uint)outputEdges.Count;
            desc->OutputEdges = arena.Copy<DML_GRAPH_EDGE_DESC>(outputEdges.ToArray());
            desc->IntermediateEdgeCount = (uint)intermediateEdges.Count;
            desc->IntermediateEdges = arena.Copy<DML_GRAPH_EDGE_DESC>(intermediateEdges.ToArray());
            var constants = inputs.Concat(resolved.Select(r => r.CopyOf!).Where(v => v is not null)).Distinct()
                .Where(v => v.Producer?.Op is ConstantOp).ToDictionary(v => v, v => ((ConstantOp)v.Producer!.Op).Value);
            return new DmlBuiltGraph(arena, desc, inputs, [.. graph.Outputs], [.. dslNodes], [.. operatorDescs], resolved, constants);
        }
        catch
        {
            arena.Dispose();
            throw;
        }
    }

    static DML_GRAPH_EDGE_DESC Intermediate(DmlNativeArena arena, int fromNode, int fromOutput, int toNode, int toInput)
    {
        var edge = arena.Alloc<DML_INTERMEDIATE_GRAPH_EDGE_DESC>();
        edge->FromNodeIndex = (uint)fromNode;
        edge->FromNodeOutputIndex = (uint)fromOutput;
        edge->ToNodeIndex = (uint)toNode;
        edge->ToNodeInputIndex = (uint)toInput;
        return new DML_GRAPH_EDGE_DESC { Type = DML_GRAPH_EDGE_TYPE.DML_GRAPH_EDGE_TYPE_INTERMEDIATE, Desc = edge };
    }

    /// <summary>Ops that dispatch nothing: the output is the input's buffer (packed, same element order).</summary>
    static bool IsAlias(Node node) => node.Op is ReshapeOp or StopGradientOp;

    /// <summary>The value whose buffer holds <paramref name="value"/>: through aliases to a graph input or a dispatching node.</summary>
    static Tensor Source(Tensor value)
    {
        while (value.Producer is { } p && IsAlias(p))
            value = p.Inputs[0];
        return value;
    }

    /// <summary>
    /// A value the graph reads rather than computes: an input, a persistent value or a constant
    /// (uploaded once by the runtime). Each becomes a DirectML graph input when a node reads it.
    /// </summary>
    static bool IsGraphValue(Tensor value) => value.Producer is null || value.Producer.Op is ConstantOp;

    /// <summary>The graph's outputs, then the new value of each update (not yet placed).</summary>
    static DmlResult[] Results(Graph graph) =>
        [.. graph.Outputs.Select(o => new DmlResult(o.Name, null, o.Value)), .. graph.Updates.Select(u => new DmlResult(null, u.Target, u.Value))];

    /// <summary>The nodes some output depends on (aliases included), in the graph's (topological) order.</summary>
    static Node[] LiveNodes(Graph graph)
    {
        var live = new HashSet<Node>();
        var pending = new Stack<Node>();
        foreach (var result in Results(graph))
        {
            if (result.Value.Producer is { } producer)
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
        // A user's op (declared outside Dsl) is lowered only as its decomposition into catalogue ops.
        bool userOp = type.Assembly != typeof(Op).Assembly;
        if (userOp && node.Op is not DecomposableOp)
            throw new NotSupportedException(
                $"DirectML has no lowering for the user op '{node.Op.Name}' ({type.Name}, declared outside Dsl), at {Where(node)}: derive it from " +
                $"Dsl.DecomposableOp and implement Decompose with catalogue ops so DirectML lowers its decomposition, or train this " +
                $"model on Backend.Torch with a kernel (KernelTable.Register). Guide: https://github.com/dsl-dotnet/dsl/blob/main/docs/writing-models.md#a-user-op-with-its-own-gradient");
        if (!LoweredOps.Contains(type) && !userOp)
        {
            var plan = OpMapping.ByOp.TryGetValue(type, out var p)
                ? $"planned: {(p.Operators.Length == 0 ? "no operator" : string.Join(", ", p.Operators.Distinct()))} ({p.How})"
                : "no plan in OpMapping";
            throw new NotSupportedException(
                $"The DirectML graph builder does not lower op '{node.Op.Name}' ({type.Name}) yet, at {Where(node)}; {plan}. " +
                $"Lowered so far: {LoweredList}.");
        }
        foreach (var value in node.Inputs.Concat(node.Outputs))
        {
            if (value.DType != DType.Float32 && !(value.DType == DType.Int64 && Int64Allowed(node, value)))
                throw new NotSupportedException($"The DirectML graph builder lowers float32 only, except: {Int64Rule}; {value} at {Where(node)}.");
        }
        if (node.Op is DecomposableOp decomposable)
        {
            CheckDecomposition(node, decomposable);
            return;
        }
        CheckRank(node);
        if (node.Op is SliceOp { Length: 0 } || (node.Op is SliceGradOp sg && node.Inputs[0].Shape[sg.Axis] == 0))
            throw new NotSupportedException($"The DirectML graph builder does not lower empty slices (DirectML tensors have no zero sizes); {node.Op.Describe()} at {Where(node)}.");
        if (node.Op is SoftmaxOp or LogSoftmaxOp && ((AxisOp)node.Op).Axis != node.Inputs[0].Rank - 1)
            throw new NotSupportedException($"The DirectML graph builder lowers softmax and log_softmax over the last axis only (below feature level 5_1 DirectML has no axis choice); {node.Inputs[0]} at {Where(node)}.");
    }

    static string Where(Node node) => $"node {node.Index} '{node.Op.Describe()}'" + (node.Scope.Length == 0 ? "" : $" in '{node.Scope}'");

    static string NodeName(Node node, int index, int part, int parts)
    {
        var name = node.Scope.Length == 0 ? $"{index}:{node.Op.Name}" : $"{index}:{node.Scope}.{node.Op.Name}";
        return parts == 1 ? name : $"{name}#{part}";
    }

    /// <summary>
    /// The operator descriptions of one node, its tensors described in the arena: usually one; a
    /// chain (each later operator reading the previous one's output) where one op takes several.
    /// </summary>
    static DML_OPERATOR_DESC*[] Lower(DmlNativeArena arena, Node node)
    {
        var output = node.Outputs[0];
        switch (node.Op)
        {
            case Conv2dOp or Conv2dInputGradOp or Conv2dWeightGradOp or MaxPool2dOp or AvgPool2dOp or AvgPool2dGradOp:
                return LowerConvolution(arena, node);
            case ExpandOp or PermuteOp or SliceOp when output.DType == DType.Int64: return LowerInt64Move(arena, node);
            case MatMulOp m:
                return [LowerMatMul(arena, node, m)];
            case AddOp or SubOp or MulOp or DivOp or MaximumOp or MinimumOp:
                {
                    // These descriptions share one layout {ATensor, BTensor, OutputTensor}.
                    var binary = arena.Alloc<DML_ELEMENT_WISE_ADD_OPERATOR_DESC>();
                    binary->ATensor = TensorDesc(arena, node.Inputs[0].Shape, output.Shape);
                    binary->BTensor = TensorDesc(arena, node.Inputs[1].Shape, output.Shape);
                    binary->OutputTensor = TensorDesc(arena, output.Shape);
                    var type = node.Op switch
                    {
                        AddOp => DML_OPERATOR_ELEMENT_WISE_ADD,
                        SubOp => DML_OPERATOR_ELEMENT_WISE_SUBTRACT,
                        MulOp => DML_OPERATOR_ELEMENT_WISE_MULTIPLY,
                        DivOp => DML_OPERATOR_ELEMENT_WISE_DIVIDE,
                        MaximumOp => DML_OPERATOR_ELEMENT_WISE_MAX,
                        _ => DML_OPERATOR_ELEMENT_WISE_MIN,
                    };
                    return [Op(arena, type, binary)];
                }
            case ReluOp or SigmoidOp or SignOp:
                {
                    // {InputTensor, OutputTensor}, no scale-bias.
                    var unary = arena.Alloc<DML_ACTIVATION_RELU_OPERATOR_DESC>();
                    unary->InputTensor = TensorDesc(arena, node.Inputs[0].Shape);
                    unary->OutputTensor = TensorDesc(arena, output.Shape);
                    var type = node.Op switch
                    {
                        ReluOp => DML_OPERATOR_ACTIVATION_RELU,
                        SigmoidOp => DML_OPERATOR_ACTIVATION_SIGMOID,
                        _ => DML_OPERATOR_ELEMENT_WISE_SIGN,
                    };
                    return [Op(arena, type, unary)];
                }
            case ExpOp or AbsOp or SqrtOp or LogOp or TanhOp or ErfOp:
                {
                    var type = node.Op switch
                    {
                        ExpOp => DML_OPERATOR_ELEMENT_WISE_EXP,
                        AbsOp => DML_OPERATOR_ELEMENT_WISE_ABS,
                        SqrtOp => DML_OPERATOR_ELEMENT_WISE_SQRT,
                        LogOp => DML_OPERATOR_ELEMENT_WISE_LOG,
                        TanhOp => DML_OPERATOR_ELEMENT_WISE_TANH,
                        _ => DML_OPERATOR_ELEMENT_WISE_ERF,
                    };
                    return [ScaleBiasUnary(arena, type, TensorDesc(arena, node.Inputs[0].Shape), output.Shape, null)];
                }
            case NegOp:
                {
                    var scaleBias = arena.Alloc<DML_SCALE_BIAS>();
                    *scaleBias = new DML_SCALE_BIAS { Scale = -1f, Bias = 0f };
                    return [ScaleBiasUnary(arena, DML_OPERATOR_ELEMENT_WISE_IDENTITY, TensorDesc(arena, node.Inputs[0].Shape), output.Shape, scaleBias)];
                }
            case RsqrtOp:
                return [
                    ScaleBiasUnary(arena, DML_OPERATOR_ELEMENT_WISE_SQRT, TensorDesc(arena, node.Inputs[0].Shape), output.Shape, null),
                    ScaleBiasUnary(arena, DML_OPERATOR_ELEMENT_WISE_RECIP, TensorDesc(arena, output.Shape), output.Shape, null),
                ];
            case FullOp full:
                {
                    // No inputs: the node gets no input edges.
                    var fill = arena.Alloc<DML_FILL_VALUE_CONSTANT_OPERATOR_DESC>();
                    fill->OutputTensor = TensorDesc(arena, output.Shape);
                    fill->ValueDataType = DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32;
                    fill->Value = new DML_SCALAR_UNION { Float32 = (float)full.Value };
                    return [Op(arena, DML_OPERATOR_FILL_VALUE_CONSTANT, fill)];
                }
            case PowScalarOp pow:
                {
                    var desc = arena.Alloc<DML_ELEMENT_WISE_CONSTANT_POW_OPERATOR_DESC>();
                    desc->InputTensor = TensorDesc(arena, node.Inputs[0].Shape);
                    desc->OutputTensor = TensorDesc(arena, output.Shape);
                    desc->ScaleBias = null;
                    desc->Exponent = (float)pow.Exponent;
                    return [Op(arena, DML_OPERATOR_ELEMENT_WISE_CONSTANT_POW, desc)];
                }
            case PermuteOp p:
                {
                    // Output dimension d reads input dimension Perm[d]: the input's packed strides, permuted.
                    var inShape = node.Inputs[0].Shape;
                    var packed = new uint[inShape.Rank];
                    uint stride = 1;
                    for (var d = inShape.Rank - 1; d >= 0; d--)
                    {
                        packed[d] = stride;
                        stride *= checked((uint)inShape[d]);
                    }
                    var n = Math.Max(DimensionCount, inShape.Rank);
                    var lead = n - inShape.Rank;
                    var strides = new uint[n];
                    for (var d = 0; d < inShape.Rank; d++)
                        strides[lead + d] = packed[p.Perm[d]];
                    return [ScaleBiasUnary(arena, DML_OPERATOR_ELEMENT_WISE_IDENTITY, TensorDesc(arena, Pad(output.Shape), strides), output.Shape, null)];
                }
            case ExpandOp:
                return [ScaleBiasUnary(arena, DML_OPERATOR_ELEMENT_WISE_IDENTITY, TensorDesc(arena, node.Inputs[0].Shape, output.Shape), output.Shape, null)];
            case SumOp or MeanOp or MaxOp or LogSumExpOp:
                {
                    IEnumerable<int> reducedAxes = node.Op is LogSumExpOp lse ? [lse.Axis] : ((ReduceOp)node.Op).Axes;
                    var inShape = node.Inputs[0].Shape;
                    var lead = DimensionCount - inShape.Rank;
                    // The output keeps every dimension, reduced ones of size 1: the same packed
                    // buffer as the IR output with or without keepDims.
                    var outSizes = Pad(inShape);
                    var axes = reducedAxes.Select(a => (uint)(a + lead)).Order().ToArray();
                    foreach (var a in axes)
                        outSizes[a] = 1;
                    var reduce = arena.Alloc<DML_REDUCE_OPERATOR_DESC>();
                    reduce->Function = node.Op switch
                    {
                        SumOp => DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_SUM,
                        MeanOp => DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_AVERAGE,
                        LogSumExpOp => DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_LOG_SUM_EXP,
                        _ => DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_MAX,
                    };
                    reduce->InputTensor = TensorDesc(arena, inShape);
                    reduce->OutputTensor = TensorDesc(arena, outSizes, null);
                    reduce->AxisCount = (uint)axes.Length;
                    reduce->Axes = arena.Copy<uint>(axes);
                    return [Op(arena, DML_OPERATOR_REDUCE, reduce)];
                }
            case SoftmaxOp or LogSoftmaxOp:
                {
                    // ACTIVATION_(LOG_)SOFTMAX normalizes the last dimension of an effective-rank-2
                    // tensor: the input viewed as [1, 1, rows, last axis] (the same packed buffer).
                    var shape = node.Inputs[0].Shape;
                    var last = shape.Rank == 0 ? 1 : shape[shape.Rank - 1];
                    uint rows = 1;
                    for (var d = 0; d < shape.Rank - 1; d++)
                        rows *= checked((uint)shape[d]);
                    uint[] view = [1, 1, rows, checked((uint)last)];
                    // Both descriptions share one layout {InputTensor, OutputTensor}.
                    var softmax = arena.Alloc<DML_ACTIVATION_SOFTMAX_OPERATOR_DESC>();
                    softmax->InputTensor = TensorDesc(arena, view, null);
                    softmax->OutputTensor = TensorDesc(arena, view, null);
                    return [Op(arena, node.Op is SoftmaxOp ? DML_OPERATOR_ACTIVATION_SOFTMAX : DML_OPERATOR_ACTIVATION_LOG_SOFTMAX, softmax)];
                }
            case SliceOp s:
                {
                    // SLICE1: the window [Start, End) read with stride Step on the axis; whole dimensions elsewhere.
                    var inShape = node.Inputs[0].Shape;
                    var axis = s.Axis + DimensionCount - inShape.Rank;
                    var offsets = new uint[DimensionCount];
                    var sizes = Pad(inShape);
                    var strides = new int[DimensionCount];
                    Array.Fill(strides, 1);
                    offsets[axis] = (uint)s.Start;
                    sizes[axis] = (uint)(s.End - s.Start);
                    strides[axis] = s.Step;
                    var slice = arena.Alloc<DML_SLICE1_OPERATOR_DESC>();
                    slice->InputTensor = TensorDesc(arena, inShape);
                    slice->OutputTensor = TensorDesc(arena, output.Shape);
                    slice->DimensionCount = DimensionCount;
                    slice->InputWindowOffsets = arena.Copy<uint>(offsets);
                    slice->InputWindowSizes = arena.Copy<uint>(sizes);
                    slice->InputWindowStrides = arena.Copy<int>(strides);
                    return [Op(arena, DML_OPERATOR_SLICE1, slice)];
                }
            case SliceGradOp sg:
                {
                    // SLICE_GRAD: zeros, with dy written into the forward's window (size (n - 1)·Step + 1 gives n elements).
                    var full = sg.FullShape;
                    var axis = sg.Axis + DimensionCount - full.Rank;
                    var offsets = new uint[DimensionCount];
                    var sizes = Pad(full);
                    var strides = new int[DimensionCount];
                    Array.Fill(strides, 1);
                    offsets[axis] = (uint)sg.Start;
                    sizes[axis] = (uint)((node.Inputs[0].Shape[sg.Axis] - 1) * sg.Step + 1);
                    strides[axis] = sg.Step;
                    var grad = arena.Alloc<DML_SLICE_GRAD_OPERATOR_DESC>();
                    grad->InputGradientTensor = TensorDesc(arena, node.Inputs[0].Shape);
                    grad->OutputGradientTensor = TensorDesc(arena, output.Shape);
                    grad->DimensionCount = DimensionCount;
                    grad->InputWindowOffsets = arena.Copy<uint>(offsets);
                    grad->InputWindowSizes = arena.Copy<uint>(sizes);
                    grad->InputWindowStrides = arena.Copy<int>(strides);
                    return [Op(arena, DML_OPERATOR_SLICE_GRAD, grad)];
                }
            case ConcatOp c:
                {
                    // JOIN takes an array of tensor descriptions (by value), one per input in order.
                    var descs = new DML_TENSOR_DESC[node.Inputs.Count];
                    for (var j = 0; j < descs.Length; j++)
                        descs[j] = *TensorDesc(arena, node.Inputs[j].Shape);
                    var join = arena.Alloc<DML_JOIN_OPERATOR_DESC>();
                    join->InputCount = (uint)descs.Length;
                    join->InputTensors = arena.Copy<DML_TENSOR_DESC>(descs);
                    join->OutputTensor = TensorDesc(arena, output.Shape);
                    join->Axis = (uint)(c.Axis + DimensionCount - output.Rank);
                    return [Op(arena, DML_OPERATOR_JOIN, join)];
                }
            case GreaterOp or EqualOp:
                {
                    // The logical operators write an integer tensor: UINT8 0/1, then CAST to float32.
                    var compare = arena.Alloc<DML_ELEMENT_WISE_LOGICAL_GREATER_THAN_OPERATOR_DESC>();
                    compare->ATensor = TensorDesc(arena, node.Inputs[0].Shape, output.Shape);
                    compare->BTensor = TensorDesc(arena, node.Inputs[1].Shape, output.Shape);
                    compare->OutputTensor = TensorDesc(arena, Pad(output.Shape), null, DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT8);
                    var cast = arena.Alloc<DML_CAST_OPERATOR_DESC>();
                    cast->InputTensor = TensorDesc(arena, Pad(output.Shape), null, DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT8);
                    cast->OutputTensor = TensorDesc(arena, output.Shape);
                    var type = node.Op is GreaterOp ? DML_OPERATOR_ELEMENT_WISE_LOGICAL_GREATER_THAN : DML_OPERATOR_ELEMENT_WISE_LOGICAL_EQUALS;
                    return [Op(arena, type, compare), Op(arena, DML_OPERATOR_CAST, cast)];
                }
            case GatherOp or TakeAlongAxisOp:
                {
                    // INT64 indices as the IR has them (DirectML takes INT64, INT32 or UINT32).
                    var x = node.Inputs[0].Shape;
                    var axis = (uint)((node.Op is GatherOp g ? g.Axis : ((TakeAlongAxisOp)node.Op).Axis) + DimensionCount - x.Rank);
                    var indices = TensorDesc(arena, Pad(node.Inputs[1].Shape), null, DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT64);
                    if (node.Op is GatherOp)
                    {
                        // 1-D indices [n] as [1, 1, 1, n], IndexDimensions 1: the axis' size becomes n.
                        var gather = arena.Alloc<DML_GATHER_OPERATOR_DESC>();
                        gather->InputTensor = TensorDesc(arena, x);
                        gather->IndicesTensor = indices;
                        gather->OutputTensor = TensorDesc(arena, output.Shape);
                        gather->Axis = axis;
                        gather->IndexDimensions = 1;
                        return [Op(arena, DML_OPERATOR_GATHER, gather)];
                    }
                    var elements = arena.Alloc<DML_GATHER_ELEMENTS_OPERATOR_DESC>();
                    elements->InputTensor = TensorDesc(arena, x);
                    elements->IndicesTensor = indices;
                    elements->OutputTensor = TensorDesc(arena, output.Shape);
                    elements->Axis = axis;
                    return [Op(arena, DML_OPERATOR_GATHER_ELEMENTS, elements)];
                }
            case CastOp:
                {
                    var cast = arena.Alloc<DML_CAST_OPERATOR_DESC>();
                    cast->InputTensor = TensorDesc(arena, Pad(node.Inputs[0].Shape), null, DataType(node.Inputs[0].DType));
                    cast->OutputTensor = TensorDesc(arena, Pad(output.Shape), null, DataType(output.DType));
                    return [Op(arena, DML_OPERATOR_CAST, cast)];
                }
            default:
                throw new NotSupportedException($"No lowering for {node.Op.Describe()}.");
        }
    }

    /// <summary>ACTIVATION_RELU_GRAD, which binds (y, dy): the node's inputs (dy, y) swapped.</summary>
    static DmlLowering LowerReluGrad(DmlNativeArena arena, Node node)
    {
        var shape = node.Output.Shape;
        var grad = arena.Alloc<DML_ACTIVATION_RELU_GRAD_OPERATOR_DESC>();
        grad->InputTensor = TensorDesc(arena, shape);
        grad->InputGradientTensor = TensorDesc(arena, shape);
        grad->OutputGradientTensor = TensorDesc(arena, shape);
        return new DmlLowering([Part(Op(arena, DML_OPERATOR_ACTIVATION_RELU_GRAD, grad), DmlRead.Input(1), DmlRead.Input(0))], [new DmlRead(0, 0)]);
    }

    static DML_OPERATOR_DESC* Op(DmlNativeArena arena, DML_OPERATOR_TYPE type, void* desc)
    {
        var result = arena.Alloc<DML_OPERATOR_DESC>();
        *result = new DML_OPERATOR_DESC { Type = type, Desc = desc };
        return result;
    }

    /// <summary>An element-wise operator of layout {InputTensor, OutputTensor, ScaleBias} (IDENTITY, EXP, ABS, SQRT, LOG, TANH, ERF, RECIP).</summary>
    static DML_OPERATOR_DESC* ScaleBiasUnary(DmlNativeArena arena, DML_OPERATOR_TYPE type, DML_TENSOR_DESC* input, Shape output, DML_SCALE_BIAS* scaleBias)
    {
        var unary = arena.Alloc<DML_ELEMENT_WISE_IDENTITY_OPERATOR_DESC>();
        unary->InputTensor = input;
        unary->OutputTensor = TensorDesc(arena, output);
        unary->ScaleBias = scaleBias;
        return Op(arena, type, unary);
    }

    /// <summary>
    /// A float32 buffer tensor holding <paramref name="shape"/> packed, read as
    /// <paramref name="viewAs"/> (a NumPy broadcast of it) when given: broadcast dimensions get
    /// stride 0, so the buffer's size stays that of the packed tensor.
    /// </summary>
    internal static DML_TENSOR_DESC* TensorDesc(DmlNativeArena arena, Shape shape, Shape? viewAs = null)
    {
        var n = Math.Max(shape.Rank, viewAs?.Rank ?? 0);
        var stored = Pad(shape, n);
        var sizes = viewAs is null ? stored : Pad(viewAs, n);
        uint[]? strides = null;
        if (!sizes.AsSpan().SequenceEqual(stored))
        {
            strides = new uint[sizes.Length];
            uint packed = 1;
            for (var d = sizes.Length - 1; d >= 0; d--)
            {
                if (stored[d] != sizes[d] && stored[d] != 1)
                    throw new ArgumentException($"{shape} does not broadcast to {viewAs}.", nameof(viewAs));
                strides[d] = stored[d] == 1 ? 0 : packed;
                packed *= stored[d];
            }
        }

        return TensorDesc(arena, sizes, strides);
    }

    /// <summary>A buffer tensor (float32 unless given) of these sizes (4, or up to 8 where the rank policy allows), packed when <paramref name="strides"/> is null.</summary>
    static DML_TENSOR_DESC* TensorDesc(DmlNativeArena arena, uint[] sizes, uint[]? strides, DML_TENSOR_DATA_TYPE dataType = DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32)
    {
        var buffer = arena.Alloc<DML_BUFFER_TENSOR_DESC>();
        buffer->DataType = dataType;
        buffer->Flags = DML_TENSOR_FLAGS.DML_TENSOR_FLAG_NONE;
        buffer->DimensionCount = (uint)sizes.Length;
        buffer->Sizes = arena.Copy<uint>(sizes);
        buffer->Strides = strides is null ? null : arena.Copy<uint>(strides);
        buffer->TotalTensorSizeInBytes = DmlBufferTensor.CalcBufferTensorSize(buffer->DataType, sizes, strides);
        buffer->GuaranteedBaseOffsetAlignment = 0;

        var tensor = arena.Alloc<DML_TENSOR_DESC>();
        tensor->Type = DML_TENSOR_TYPE.DML_TENSOR_TYPE_BUFFER;
        tensor->Desc = buffer;
        return tensor;
    }

    static DML_TENSOR_DATA_TYPE DataType(DType dtype) => dtype switch
    {
        DType.Float32 => DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32,
        DType.Int64 => DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT64,
        _ => throw new NotSupportedException($"The DirectML graph builder does not lower {dtype} tensors."),
    };

    /// <summary>The shape as <see cref="DimensionCount"/> sizes, leading 1s first (as many as its rank above that, see the rank policy).</summary>
    static uint[] Pad(Shape shape) => Pad(shape, 0);

    /// <summary>The shape as max(4, rank, <paramref name="atLeast"/>) sizes, leading 1s first.</summary>
    static uint[] Pad(Shape shape, int atLeast)
    {
        var n = Math.Max(DimensionCount, Math.Max(shape.Rank, atLeast));
        var sizes = new uint[n];
        var lead = n - shape.Rank;
        for (var d = 0; d < n; d++)
            sizes[d] = d < lead ? 1u : checked((uint)shape[d - lead]);
        return sizes;
    }
}
