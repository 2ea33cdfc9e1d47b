using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Tests.Support;

namespace Dsl.Tests.Gradients;

/// <summary>
/// Every op's VJP rule, run as a graph on Backend.Torch, equals TorchSharp autograd (float64,
/// tight tolerance); a representative subset also matches central finite differences.
/// </summary>
public class GradientCheckTests
{
    static readonly TorchBackend Backend = new();

    [Theory]
    [MemberData(nameof(GradientCases.Names), MemberType = typeof(GradientCases))]
    public void Vjp_graph_matches_torch_autograd(string name)
    {
        var c = GradientCases.All[name];
        var built = c.Build();
        var feeds = c.Feeds(built, seed: 17);
        using var compiled = Backend.Compile(built.Graph);
        var results = compiled.Run(feeds);
        var expected = TorchOracle.Gradients(built.Graph, built.Output, feeds, feeds["cotangent"], built.Wrt);

        for (int i = 0; i < built.Wrt.Length; i++)
            Close.Assert(results["d_" + built.Wrt[i].Name], expected[i], rtol: 1e-9, atol: 1e-11, $"{name}: d/d{built.Wrt[i].Name}");
    }

    [Theory]
    [InlineData("div")]
    [InlineData("maximum")]
    [InlineData("where_broadcast")]
    [InlineData("gelu")]
    [InlineData("silu")]
    [InlineData("rsqrt")]
    [InlineData("max_axis")]
    [InlineData("min_axes")]
    [InlineData("argmax_take")]
    [InlineData("softmax")]
    [InlineData("logsumexp")]
    [InlineData("slice_strided")]
    [InlineData("concat")]
    [InlineData("matmul_batched_broadcast")]
    [InlineData("layer_norm_stats")]
    [InlineData("batch_norm_4d_stats")]
    [InlineData("conv2d_s2_p1")]
    [InlineData("conv2d_groups2")]
    [InlineData("conv2d_depthwise")]
    [InlineData("conv2d_depthwise_multiplier")]
    [InlineData("conv2d_input_grad_groups")]
    [InlineData("conv2d_weight_grad_groups")]
    [InlineData("max_pool2d_overlap")]
    [InlineData("avg_pool2d_overlap")]
    [InlineData("take_along_axis")]
    [InlineData("embedding")]
    [InlineData("upsample_nearest2d")]
    [InlineData("upsample_bilinear2d")]
    [InlineData("upsample_bilinear2d_x3")]
    [InlineData("top_k")]
    [InlineData("l2_normalize")]
    [InlineData("cross_entropy")]
    [InlineData("attention")]
    [InlineData("attention_grad")]
    public void Vjp_graph_matches_central_finite_differences(string name)
    {
        const double h = 1e-6;
        var c = GradientCases.All[name];
        var built = c.Build();
        var feeds = c.Feeds(built, seed: 5);
        using var full = Backend.Compile(built.Graph);
        var results = full.Run(feeds);

        using var lossOnly = Backend.Compile(c.Build(lossOnly: true).Graph);
        double Loss(Dictionary<string, HostTensor> f) => lossOnly.Run(f)["loss"].ToScalar();

        foreach (var w in built.Wrt)
        {
            var ad = results["d_" + w.Name].ToDoubles();
            var x = (double[])feeds[w.Name!].Data;
            for (int k = 0; k < x.Length; k++)
            {
                double keep = x[k];
                x[k] = keep + h; double up = Loss(feeds);
                x[k] = keep - h; double down = Loss(feeds);
                x[k] = keep;
                double fd = (up - down) / (2 * h);
                Math.Abs(fd - ad[k]).ShouldBeLessThan(1e-6 * Math.Max(1, Math.Abs(ad[k])), $"{name}: d/d{w.Name}[{k}] autodiff {ad[k]} vs finite difference {fd}");
            }
        }
    }
}
