using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Lowering;
using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Tests.Support;

namespace Dsl.Tests.DirectML.Reference;

/// <summary>
/// Builds a graph to a native DML_GRAPH_DESC, runs it on the reference interpreter with seeded
/// uniform inputs and persistent values, and compares every output with Backend.Torch's.
/// </summary>
internal static unsafe class GraphCheck
{
    /// <summary>Runs <paramref name="build"/>'s graph both ways (built for <paramref name="featureLevel"/>); returns the DirectML operator types in node order.</summary>
    public static DML_OPERATOR_TYPE[] MatchesTorch(Func<Graph> build, int seed, double rtol = 1e-4, double atol = 1e-5, DML_FEATURE_LEVEL featureLevel = DML_FEATURE_LEVEL.DML_FEATURE_LEVEL_3_0)
    {
        var graph = build();
        var random = new System.Random(seed);
        // Inputs in [-2, 2), persistent values (parameters) in [-1, 1).
        var fed = graph.Inputs.Concat(graph.Persistent).ToArray();
        var feeds = fed.ToDictionary(v => v.Name!, v => Enumerable.Range(0, (int)v.Shape.Numel)
            .Select(_ => (float)((random.NextDouble() * 2 - 1) * (v.IsPersistent ? 1 : 2))).ToArray());
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(graph, operators.Create, featureLevel);
        // A constant (ConstantOp) is a bound input too, uploaded from its own data.
        var outputs = DmlGraphInterpreter.Execute(built.Desc, operators, built.Inputs.Select(v => built.Constants.TryGetValue(v, out var constant) ? (float[])constant.Data : feeds[v.Name!]).ToArray());

        var torchGraph = build();
        using var compiled = new TorchBackend().Compile(torchGraph);
        foreach (var p in torchGraph.Persistent)
            compiled.SetPersistent(p.Name!, HostTensor.F32(p.Shape, feeds[p.Name!]));
        var expected = compiled.Run(torchGraph.Inputs.ToDictionary(v => v.Name!, v => HostTensor.F32(v.Shape, feeds[v.Name!])));
        TorchComparison.AssertOutputsMatch(built, outputs, expected, rtol, atol);
        return [.. Enumerable.Range(0, (int)built.Desc->NodeCount).Select(i => built.OperatorDesc(i)->Type)];
    }
}
