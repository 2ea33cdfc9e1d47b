using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Lowering;
using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Operators;
using Dsl.Tests.DirectML.Reference;
using Dsl.Tests.Support;
using static Dsl.Backend.DirectML.Interop.DML_OPERATOR_TYPE;

namespace Dsl.Tests.DirectML;

/// <summary>
/// ReluGrad as one ACTIVATION_RELU_GRAD, which binds (y, dy) where the IR op reads (dy, y); run by
/// the reference interpreter and the reference device, compared with Backend.Torch.
/// </summary>
public unsafe class DmlGraphBuilderReluGradTests
{
    static readonly Shape XShape = new(2, 3, 4, 5);
    static readonly Shape WideShape = new(2, 3, 2, 2, 3);

    static Graph Build()
    {
        var g = new Graph("relu_grad");
        var x = g.Input("x", XShape);
        var dy = g.Input("dy", XShape);
        g.Output("dx", Ops.ReluGrad(dy, Ops.Relu(x)));
        // Rank 5: the three tensors merge to one dimension.
        g.Output("wide", Ops.ReluGrad(g.Input("dy5", WideShape), Ops.Relu(g.Input("x5", WideShape))));
        return g;
    }

    [Fact]
    public void ReluGrad_through_the_native_graph_matches_Torch_exactly()
    {
        var types = GraphCheck.MatchesTorch(Build, seed: 71, rtol: 0, atol: 0);
        types.Count(t => t == DML_OPERATOR_ACTIVATION_RELU_GRAD).ShouldBe(2);
    }

    [Fact]
    public void ReluGrad_binds_y_as_the_input_and_dy_as_the_input_gradient()
    {
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Build(), operators.Create);
        var nodes = built.Nodes.ToArray();
        var grad = Array.FindIndex(nodes, n => n.Op is ReluGradOp);
        built.OperatorDesc(grad)->Type.ShouldBe(DML_OPERATOR_ACTIVATION_RELU_GRAD);
        var relu = Array.FindIndex(nodes, n => n.Op is ReluOp);

        // Input 0 (InputTensor) is the relu's output; input 1 (InputGradientTensor) is the graph input dy.
        var g = built.Desc;
        var intermediate = Enumerable.Range(0, (int)g->IntermediateEdgeCount).Select(e => *(DML_INTERMEDIATE_GRAPH_EDGE_DESC*)g->IntermediateEdges[e].Desc)
            .Single(e => e.ToNodeIndex == grad);
        intermediate.FromNodeIndex.ShouldBe((uint)relu);
        intermediate.ToNodeInputIndex.ShouldBe(0u);
        var input = Enumerable.Range(0, (int)g->InputEdgeCount).Select(e => *(DML_INPUT_GRAPH_EDGE_DESC*)g->InputEdges[e].Desc)
            .Single(e => e.ToNodeIndex == grad);
        input.ToNodeInputIndex.ShouldBe(1u);
        built.Inputs[(int)input.GraphInputIndex].Name.ShouldBe("dy");
    }

    [Fact]
    public void A_relu_mlp_backward_on_the_reference_device_equals_Torch()
    {
        static Graph Mlp()
        {
            var g = new Graph("relu_mlp");
            var x = g.Input("x", new Shape(6, 8));
            var w1 = g.Parameter("w1", new Shape(8, 16));
            var w2 = g.Parameter("w2", new Shape(16, 3));
            var loss = Ops.Sum(Ops.MatMul(Ops.Relu(Ops.MatMul(x, w1)), w2));
            var grads = Autodiff.Gradients(loss, [w1, w2]);
            g.Output("d_w1", grads[0]);
            g.Output("d_w2", grads[1]);
            return g;
        }
        Mlp().Nodes.ShouldContain(n => n.Op is ReluGradOp);
        using var device = new ReferenceDevice.ReferenceDevice();
        using var backend = device.CreateBackend();
        using var dml = device.Explain(() => backend.Compile(Mlp()));
        using var torch = new TorchBackend().Compile(Mlp());
        foreach (var (p, seed) in new[] { ("w1", 1), ("w2", 2) })
        {
            var value = RuntimeForwardTests.RandomTensor(p == "w1" ? new Shape(8, 16) : new Shape(16, 3), seed);
            dml.SetPersistent(p, value);
            torch.SetPersistent(p, value);
        }

        var feeds = new Dictionary<string, HostTensor> { ["x"] = RuntimeForwardTests.RandomTensor(new Shape(6, 8), 3) };
        var got = device.Explain(() => dml.Run(feeds));
        foreach (var (name, want) in torch.Run(feeds))
            Close.Assert(got[name], want, rtol: 1e-5, atol: 1e-6, $"output '{name}'");
        device.Gpu.Operators.Types.ShouldContain(DML_OPERATOR_ACTIVATION_RELU_GRAD);
        device.Gpu.Errors.ShouldBeEmpty();
    }
}
