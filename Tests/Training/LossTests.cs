using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Models.Losses;
using Dsl.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Tests.Training;

/// <summary>NT-Xent and Barlow Twins match independent TorchSharp formulations, value and gradient.</summary>
public class LossTests
{
    static readonly Shape Z = new(6, 4);

    static (double Loss, double[] D1, double[] D2) Dsl(Func<Tensor, Tensor, Tensor> loss, HostTensor a, HostTensor b)
    {
        var g = new Dsl.Graph("loss");
        var z1 = g.Input("z1", Z, DType.Float64);
        var z2 = g.Input("z2", Z, DType.Float64);
        var l = loss(z1, z2);
        var grads = Autodiff.Gradients(l, [z1, z2]);
        g.Output("loss", l);
        g.Output("d1", grads[0]);
        g.Output("d2", grads[1]);
        using var c = new TorchBackend().Compile(g);
        var o = c.Run(new Dictionary<string, HostTensor> { ["z1"] = a, ["z2"] = b });
        return (o["loss"].ToScalar(), o["d1"].ToDoubles(), o["d2"].ToDoubles());
    }

    static (double Loss, double[] D1, double[] D2) Torch(Func<torch.Tensor, torch.Tensor, torch.Tensor> loss, HostTensor a, HostTensor b)
    {
        using var scope = NewDisposeScope();
        var z1 = a.ToTorch(CPU).requires_grad_(true);
        var z2 = b.ToTorch(CPU).requires_grad_(true);
        var l = loss(z1, z2);
        l.backward();
        return (l.item<double>(), z1.grad!.ToHost(DType.Float64).ToDoubles(), z2.grad!.ToHost(DType.Float64).ToDoubles());
    }

    static void Compare((double Loss, double[] D1, double[] D2) ours, (double Loss, double[] D1, double[] D2) reference)
    {
        ours.Loss.ShouldBe(reference.Loss, 1e-10 * Math.Max(1, Math.Abs(reference.Loss)));
        ours.D1.ShouldBe(reference.D1, 1e-10);
        ours.D2.ShouldBe(reference.D2, 1e-10);
    }

    [Fact]
    public void Nt_xent_matches_the_simclr_formulation()
    {
        var (a, b) = (TestData.Uniform(Z, 1), TestData.Uniform(Z, 2));
        Compare(Dsl((x, y) => SelfSupervisedLosses.NtXent(x, y, 0.5), a, b), Torch((x, y) =>
        {
            // SimCLR: mask self-similarity with -inf, positives at i±N.
            var z = nn.functional.normalize(cat([x, y], 0), dim: 1);
            var sim = matmul(z, z.T) / 0.5;
            sim = sim.masked_fill(eye(12, dtype: ScalarType.Bool), double.NegativeInfinity);
            var labels = cat([arange(6, 12), arange(0, 6)]).to(ScalarType.Int64);
            return nn.functional.cross_entropy(sim, labels);
        }, a, b));
    }

    [Fact]
    public void Barlow_twins_matches_the_paper_formulation()
    {
        var (a, b) = (TestData.Uniform(Z, 3), TestData.Uniform(Z, 4));
        Compare(Dsl((x, y) => SelfSupervisedLosses.BarlowTwins(x, y, 0.05), a, b), Torch((x, y) =>
        {
            var xn = (x - x.mean([0])) / (x.var(0, unbiased: false) + 1e-5).sqrt();
            var yn = (y - y.mean([0])) / (y.var(0, unbiased: false) + 1e-5).sqrt();
            var c = matmul(xn.T, yn) / 6;
            var diag = c.diagonal();
            return (diag - 1).pow(2).sum() + 0.05 * (c.pow(2).sum() - diag.pow(2).sum());
        }, a, b));
    }

    [Fact]
    public void Identical_views_minimise_both_losses_relative_to_unrelated_views()
    {
        var (a, b) = (TestData.Uniform(Z, 5), TestData.Uniform(Z, 6));
        Dsl((x, y) => SelfSupervisedLosses.NtXent(x, y), a, a).Loss.ShouldBeLessThan(Dsl((x, y) => SelfSupervisedLosses.NtXent(x, y), a, b).Loss);
        Dsl((x, y) => SelfSupervisedLosses.BarlowTwins(x, y), a, a).Loss.ShouldBeLessThan(Dsl((x, y) => SelfSupervisedLosses.BarlowTwins(x, y), a, b).Loss);
    }
}
