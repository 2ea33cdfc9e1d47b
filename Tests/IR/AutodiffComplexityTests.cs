using Dsl.Execution;
using Dsl.Models.Methods;
using Dsl.Models.Training;
using Xunit.Abstractions;

namespace Dsl.Tests.IR;

/// <summary>
/// Differentiating costs work in proportion to the nodes differentiated, not to the graph's size:
/// a model four times as deep costs about four times the node visits to build (counted, not timed).
/// </summary>
public class AutodiffComplexityTests(ITestOutputHelper log)
{
    const int Depth = 6;

    [Fact]
    public void Building_a_vit_training_step_visits_nodes_in_linear_proportion_to_its_depth()
    {
        var (shallowNodes, shallowVisits) = BuildVitStep(Depth);
        var (deepNodes, deepVisits) = BuildVitStep(4 * Depth);

        var counts = $"{shallowVisits} visits at depth {Depth} ({shallowNodes} nodes), {deepVisits} at depth {4 * Depth} ({deepNodes} nodes)";
        log.WriteLine(counts);
        // The blocks grow 4x; the patch embedding, head and flat optimizer do not (measured 3.4x).
        ((double)deepNodes / shallowNodes).ShouldBeInRange(3.0, 4.0);
        deepVisits.ShouldBeLessThanOrEqualTo((long)(4.5 * shallowVisits), counts);
    }

    [Fact]
    public void Gradients_of_a_linear_relu_chain_visit_nodes_in_linear_proportion_to_its_depth()
    {
        var (shallowNodes, shallowVisits) = BuildChainStep(2 * Depth);
        var (deepNodes, deepVisits) = BuildChainStep(8 * Depth);

        var counts = $"{shallowVisits} visits at depth {2 * Depth} ({shallowNodes} nodes), {deepVisits} at depth {8 * Depth} ({deepNodes} nodes)";
        log.WriteLine(counts);
        ((double)deepNodes / shallowNodes).ShouldBeInRange(3.5, 4.0);
        deepVisits.ShouldBeLessThanOrEqualTo((long)(4.5 * shallowVisits), counts);
    }

    /// <summary>The step graph the <see cref="Trainer"/> builds for a ViT classifier of this depth: its node count and the visits it cost.</summary>
    static (int Nodes, long Visits) BuildVitStep(int depth)
    {
        var config = new MaeConfig(ImageSize: 8, PatchSize: 4, Channels: 1, EncoderDim: 8, EncoderDepth: depth, EncoderHeads: 2,
            DecoderDim: 8, DecoderDepth: 1, DecoderHeads: 2);
        var task = new ClassificationTask(new MaeMethod(config), channels: 1, size: 8, classes: 3);
        Autodiff.NodesVisited = 0;
        using var trainer = new Trainer(new GraphOnlyBackend(), task, new TrainerOptions(2, new AdamW(), new ConstantSchedule(1e-3), ClipNorm: 1.0));
        return (trainer.StepGraph.Nodes.Count, Autodiff.NodesVisited);
    }

    /// <summary>
    /// A stack of Linear + ReLU layers trained by a layer-by-layer backward pass, each layer's VJP taken by
    /// <see cref="Autodiff.Gradients(Tensor, IReadOnlyList{Tensor}, Tensor?, bool)"/> with respect to its input and parameters.
    /// </summary>
    static (int Nodes, long Visits) BuildChainStep(int depth)
    {
        var g = new Dsl.Graph("chain");
        var x = g.Input("x", new Shape(2, 4));
        var layers = new List<(Tensor Input, Tensor Weight, Tensor Bias, Tensor Output)>();
        for (int i = 0; i < depth; i++)
        {
            var w = g.Parameter($"layers.{i}.weight", new Shape(4, 4));
            var b = g.Parameter($"layers.{i}.bias", new Shape(4));
            var input = layers.Count == 0 ? x : layers[^1].Output;
            layers.Add((input, w, b, Ops.Relu(Ops.Linear(input, w, b))));
        }
        var loss = Ops.Mean(layers[^1].Output * layers[^1].Output);
        Autodiff.NodesVisited = 0;
        var d = Autodiff.Gradients(loss, [layers[^1].Output])[0];
        for (int i = depth - 1; i >= 0; i--)
        {
            var (input, w, b, output) = layers[i];
            var grads = Autodiff.Gradients(output, [input, w, b], seed: d);
            g.Update(w, w - grads[1] * 0.1);
            g.Update(b, b - grads[2] * 0.1);
            d = grads[0];
        }
        return (g.Nodes.Count, Autodiff.NodesVisited);
    }

    /// <summary>Keeps the graph a trainer builds and runs nothing.</summary>
    sealed class GraphOnlyBackend : IBackend
    {
        public string Name => "graph-only";
        public ICompiledGraph Compile(Dsl.Graph graph) => new Compiled(graph);

        sealed class Compiled(Dsl.Graph graph) : ICompiledGraph
        {
            public Dsl.Graph Graph => graph;
            public void SetPersistent(string name, HostTensor value) { }
            public HostTensor GetPersistent(string name) => throw new NotSupportedException();
            public IReadOnlyDictionary<string, HostTensor> Run(IReadOnlyDictionary<string, HostTensor> inputs) => throw new NotSupportedException();
            public void Dispose() { }
        }
    }
}
