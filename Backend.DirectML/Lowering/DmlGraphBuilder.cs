using Dsl.Backend.DirectML.Interop;
using Dsl.Operators;
using Dsl.Passes;

namespace Dsl.Backend.DirectML.Lowering;

/// <summary>
/// Creates the DirectML operator for one description (on a device: <c>IDMLDevice::CreateOperator</c>)
/// and returns it as a raw <c>IDMLOperator*</c>. The graph description holds no reference: the
/// caller keeps the operators alive until the graph is compiled and releases them afterwards.
/// </summary>
internal unsafe delegate void* DmlOperatorFactory(DML_OPERATOR_DESC* desc);

/// <summary>
/// Lowers a Dsl <see cref="Graph"/> to DirectML.h's native <see cref="DML_GRAPH_DESC"/>, for
/// <c>IDMLDevice1::CompileGraph</c>. Each node is lowered as its op's rule in
/// <see cref="DmlLoweringTable"/> says (operators, rank policy, lowering); this class only
/// orchestrates: which nodes, in which order, wired by which edges. Graph inputs are the values
/// no node produces (inputs, parameters, buffers) and constants that some node reads, in the
/// graph's value order; graph outputs are the node-computed results, the Dsl outputs then each
/// update's new value (<see cref="DmlBuiltGraph.Results"/>). Nodes no result depends on are left
/// out; aliases (reshape, stop_gradient) get no DirectML node (their consumers read the producer's buffer).
/// </summary>
internal static unsafe partial class DmlGraphBuilder
{
    /// <summary>
    /// Builds the native graph description; the result owns all its memory. <paramref name="featureLevel"/>:
    /// the device's level, which lets a few ops use a later single operator (GELU from 5_1).
    /// </summary>
    /// <exception cref="NotSupportedException">An op, dtype, rank or case no rule of <see cref="DmlLoweringTable"/> lowers.</exception>
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

    static bool IsAlias(Node node) => DmlLoweringTable.IsAlias(node);

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

    /// <summary>The nodes some output or update depends on (aliases included), in the graph's (topological) order.</summary>
    static Node[] LiveNodes(Graph graph)
    {
        var live = DeadCodeElimination.Live(graph);
        return [.. graph.Nodes.Where(n => live[n.Index])];
    }

    /// <summary>Refuses a node outside what the table lowers: an op with no rule, a dtype, a rank or a case its rule refuses.</summary>
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
        var rule = DmlLoweringTable.For(node.Op)
            ?? throw new NotSupportedException(
                $"The DirectML graph builder has no lowering for op '{node.Op.Name}' ({type.Name}), at {Where(node)}: no rule in DmlLoweringTable.");
        foreach (var value in node.Inputs.Concat(node.Outputs))
        {
            if (value.DType != DType.Float32 && !(value.DType == DType.Int64 && rule.Int64.Allows(node, value)))
                throw new NotSupportedException($"The DirectML graph builder lowers float32 only, except: {DmlLoweringTable.Int64Rule}; {value} at {Where(node)}.");
        }
        if (node.Op is DecomposableOp decomposable)
        {
            CheckDecomposition(node, decomposable);
            return;
        }
        if (!IsAlias(node) && DmlLayout.NeedsCoalescing(node) && !rule.Layout.Fits(node))
            throw new NotSupportedException($"The DirectML graph builder lowers rank > {DmlLayout.DimensionCount} only where merging dimensions brings it to {DmlLayout.DimensionCount} (8 for element-wise copies and arithmetic; at feature level 3_0); {node.Op.Describe()} on {string.Join(", ", node.Inputs)} needs more, at {Where(node)}.");
        rule.Refuse?.Invoke(node);
    }

    static string Where(Node node) => DmlLoweringTable.Where(node);

    static string NodeName(Node node, int index, int part, int parts)
    {
        var name = node.Scope.Length == 0 ? $"{index}:{node.Op.Name}" : $"{index}:{node.Scope}.{node.Op.Name}";
        return parts == 1 ? name : $"{name}#{part}";
    }

    /// <summary>
    /// The lowering of one node, by its rule: a <see cref="DecomposableOp"/> as the rule says (its
    /// decomposition, or a later single operator); any other op first brought to rank ≤ 4 by its
    /// rank policy (possibly a chain of steps, each lowered by the rule and read by the next), a
    /// broadcasting binary op whose operands still need more through expanded operands.
    /// <paramref name="read"/>: the values something reads (outputs outside it need not be
    /// computed); <paramref name="featureLevel"/>: the device's (later single operators where it allows).
    /// </summary>
    static DmlLowering LowerParts(DmlNativeArena arena, Node node, IReadOnlySet<Tensor> read, DML_FEATURE_LEVEL featureLevel)
    {
        var rule = DmlLoweringTable.For(node.Op)!;
        var context = new DmlLowerContext(arena, featureLevel, node, read);
        if (node.Op is DecomposableOp)
            return rule.Lower(context, node);
        var steps = rule.Layout.Steps(node);
        if (rule.Layout.WideBroadcast && steps[0].Output.Rank > rule.Layout.MaxDimensions)
            return LowerWideBroadcast(context, rule);
        if (steps.Length == 1)
            return rule.Lower(context, steps[0]);
        // Each later step reads the previous one's output.
        var parts = new List<DmlPart>();
        var sources = (IReadOnlyList<DmlRead>)[.. Enumerable.Range(0, node.Inputs.Count).Select(DmlRead.Input)];
        foreach (var step in steps)
            sources = rule.Lower(context, step).AppendTo(parts, sources);
        return new DmlLowering([.. parts], [.. sources]);
    }
}
