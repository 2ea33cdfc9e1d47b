using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Models.Data;
using Dsl.Models.Data.Augment;
using Dsl.Models.Methods;
using Dsl.Models.Training;
using Dsl.Tests.Support;

namespace Dsl.Tests.Training;

/// <summary>Barlow Twins through the shared trainer: correct gradients over two views and a falling loss.</summary>
public class BarlowTwinsTests
{
    /// <summary>Without batch norm in the encoder both views run as one call; with it (conv-bn), one call per view with per-view statistics.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Generated_backward_over_two_views_equals_graph_autodiff(bool batchNorm)
    {
        var g = new Dsl.Graph("barlow");
        var task = new BarlowTwinsTask(Backbone.Conv(1, 8, batchNorm: batchNorm), 1, 12, 16);
        var built = task.Build(g, 6);
        var ad = Autodiff.Gradients(built.Loss, built.Parameters);
        for (int i = 0; i < ad.Length; i++) { g.Output("gen" + i, built.Gradients[i]); g.Output("ad" + i, ad[i]); }
        using var c = new TorchBackend().Compile(g);
        foreach (var (k, v) in task.InitialValues(1)) c.SetPersistent(k, v);
        var o = c.Run(new Dictionary<string, HostTensor>
        {
            ["view1"] = TestData.Uniform(new Shape(6, 1, 12, 12), 1, dtype: DType.Float32),
            ["view2"] = TestData.Uniform(new Shape(6, 1, 12, 12), 2, dtype: DType.Float32),
        });
        for (int i = 0; i < ad.Length; i++) Close.Assert(o["gen" + i], o["ad" + i], 1e-4, 1e-6, built.Parameters[i].Name!);
    }

    [Fact]
    public void Short_pretraining_lowers_the_loss()
    {
        var data = FashionMnist.Load().Train.Take(640);
        var (first, second) = AugmentationPipeline.BarlowTwins(28);
        var loader = new BatchLoader(data, new BatchLoaderOptions { BatchSize = 64, Seed = 4, DropLast = true, Workers = 2 }, first, second);
        using var trainer = new Trainer(new TorchBackend(), new BarlowTwinsTask(Backbone.Conv(1, 32), 1, 28, 64),
            new TrainerOptions(64, new Lars(WeightDecay: 1e-6) { DecayFilter = Dsl.Models.Training.Optimizer.ExcludeBiasAndNorm }, new WarmupCosineSchedule(0.2, 3, 30), Seed: 4));
        var losses = new List<double>();
        trainer.Fit(new AugmentedBatches(loader), 30, r => losses.Add(r.Loss));
        losses.TakeLast(5).Average().ShouldBeLessThan(0.8 * losses.Take(5).Average(), string.Join(" ", losses.Select(l => l.ToString("F2"))));
    }
}
