using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Models.Methods;
using Dsl.Tests.Support;
namespace Dsl.Tests.Training;
/// <summary>The two-view (weight-shared) generated Backward of SimCLR equals graph-level autodiff.</summary>
public class SimClrGradientTests
{
    /// <summary>
    /// Both views run as one call on their concatenation, with batch norm (conv-bn) too: SimCLR takes
    /// its batch statistics over both views, as its reference implementation.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Generated_backward_over_two_views_equals_graph_autodiff(bool batchNorm)
    {
        var g = new Dsl.Graph("s");
        var task = new SimClrTask(Backbone.Conv(1, 8, batchNorm: batchNorm), 1, 12, 8, 0.2);
        task.Backbone.BatchIndependent.ShouldBe(!batchNorm);
        var built = task.Build(g, 6);
        var ad = Autodiff.Gradients(built.Loss, built.Parameters);
        for (int i = 0; i < ad.Length; i++) { g.Output("gen" + i, built.Gradients[i]); g.Output("ad" + i, ad[i]); }
        using var c = new TorchBackend().Compile(g);
        foreach (var (k, v) in task.InitialValues(1)) c.SetPersistent(k, v);
        var o = c.Run(new Dictionary<string, HostTensor> { ["view1"] = TestData.Uniform(new Shape(6, 1, 12, 12), 1, dtype: DType.Float32), ["view2"] = TestData.Uniform(new Shape(6, 1, 12, 12), 2, dtype: DType.Float32), ["seed"] = HostTensor.I64(new Shape(2), [0, 0]) });
        for (int i = 0; i < ad.Length; i++) Close.Assert(o["gen" + i], o["ad" + i], 1e-4, 1e-6, built.Parameters[i].Name!);
    }
}
