using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Operators;
using Dsl.Tests.Support;

namespace Dsl.Tests.Gradients;

/// <summary>
/// ReLU's backward is one relu_grad node, and on Backend.Torch it equals TorchSharp autograd of
/// relu and the mask product dy·(y &gt; 0) it replaces.
/// </summary>
public class ReluGradTests
{
    static readonly Shape ConvShape = new(4, 8, 5, 5);
    static readonly TorchBackend Backend = new();

    /// <summary>y = relu(x), loss = Σ y·cot, and the output dx from Autodiff.</summary>
    static (Graph Graph, Tensor Y, Tensor X) ReluBackward(DType dtype)
    {
        var g = new Graph("relu_backward");
        var x = g.Input("x", ConvShape, dtype);
        var cot = g.Input("cot", ConvShape, dtype);
        var y = Ops.Relu(x);
        g.Output("dx", Autodiff.Gradients(Ops.Sum(y * cot), [x])[0]);
        return (g, y, x);
    }

    /// <summary>Uniform in [-1, 1) with every fifth element exactly 0 (the boundary y = 0).</summary>
    static HostTensor WithZeros(int seed, DType dtype)
    {
        var v = TestData.Uniform(ConvShape, seed).ToDoubles();
        for (int i = 0; i < v.Length; i += 5) v[i] = 0;
        return dtype == DType.Float64 ? HostTensor.F64(ConvShape, v) : HostTensor.F32(ConvShape, [.. v.Select(d => (float)d)]);
    }

    [Fact]
    public void The_relu_vjp_is_one_relu_grad_node_and_no_mask()
    {
        var (g, _, _) = ReluBackward(DType.Float32);
        g.Nodes.Count(n => n.Op is ReluGradOp).ShouldBe(1);
        g.Nodes.ShouldNotContain(n => n.Op is GreaterOp);
    }

    [Theory]
    [InlineData(DType.Float64, 1e-9)]
    [InlineData(DType.Float32, 1e-4)]
    public void Relu_backward_on_torch_equals_torch_autograd_of_relu(DType dtype, double tolerance)
    {
        var (g, y, x) = ReluBackward(dtype);
        var feeds = new Dictionary<string, HostTensor> { ["x"] = WithZeros(1, dtype), ["cot"] = TestData.Uniform(ConvShape, 2, dtype: dtype) };
        using var compiled = Backend.Compile(g);
        var dx = compiled.Run(feeds)["dx"];

        var expected = TorchOracle.Gradients(g, y, feeds, feeds["cot"], [x])[0];
        Close.Assert(dx, expected, rtol: tolerance, atol: tolerance * 1e-2, $"{dtype} relu backward");
    }

    [Theory]
    [InlineData(DType.Float64)]
    [InlineData(DType.Float32)]
    public void Relu_grad_equals_the_mask_product_it_replaces(DType dtype)
    {
        // Any y, negative too: relu_grad is defined on its inputs, not only on ReLU outputs.
        var g = new Graph("relu_grad_vs_mask");
        var dy = g.Input("dy", ConvShape, dtype);
        var y = g.Input("y", ConvShape, dtype);
        g.Output("fused", Ops.ReluGrad(dy, y));
        g.Output("unfused", dy * Ops.Greater(y, y.Scalar(0)));
        using var compiled = Backend.Compile(g);
        var outputs = compiled.Run(new Dictionary<string, HostTensor> { ["dy"] = TestData.Uniform(ConvShape, 3, dtype: dtype), ["y"] = WithZeros(4, dtype) });

        // Equal values; only the sign of a zero may differ (-dy·0 is -0).
        Close.Assert(outputs["fused"], outputs["unfused"], rtol: 0, atol: 0, $"{dtype} relu_grad vs dy·(y > 0)");
        outputs["fused"].ToDoubles().Count(v => v == 0).ShouldBeGreaterThan((int)ConvShape.Numel / 3);
    }
}
