using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Models.Training;
using Dsl.Tests.Support;
using TorchSharp;

namespace Dsl.Tests.Training;

/// <summary>Graph optimizers match torch.optim (SGD, AdamW) or a host reference (LARS, LAMB) step by step.</summary>
public class OptimizerTests
{
    static readonly Shape W = new(4, 3), B = new(3);

    /// <summary>Runs `steps` optimizer steps on loss = Σ (w - target)² + Σ (b - target_b)² in the graph; returns final w, b.</summary>
    static (double[] W, double[] B) RunGraph(Optimizer optimizer, int steps, double lr, HostTensor w0, HostTensor b0, HostTensor tw, HostTensor tb)
    {
        var g = new Dsl.Graph("opt");
        var w = g.Parameter("w", W, DType.Float64);
        var b = g.Parameter("b", B, DType.Float64);
        var targetW = g.Input("tw", W, DType.Float64);
        var targetB = g.Input("tb", B, DType.Float64);
        var rate = g.Input("lr", Shape.Scalar, DType.Float64);
        var loss = Ops.Sum(Ops.PowScalar(w - targetW, 2)) + Ops.Sum(Ops.PowScalar(b - targetB, 2));
        g.Output("loss", loss);
        optimizer.AddUpdates(g, [w, b], Autodiff.Gradients(loss, [w, b]), rate);
        using var c = new TorchBackend().Compile(g);
        c.SetPersistent("w", w0);
        c.SetPersistent("b", b0);
        var feeds = new Dictionary<string, HostTensor> { ["tw"] = tw, ["tb"] = tb, ["lr"] = HostTensor.F64(Shape.Scalar, [lr]) };
        for (int i = 0; i < steps; i++) c.Run(feeds);
        return (c.GetPersistent("w").ToDoubles(), c.GetPersistent("b").ToDoubles());
    }

    static (HostTensor W0, HostTensor B0, HostTensor TW, HostTensor TB) Data() =>
        (TestData.Uniform(W, 1), TestData.Uniform(B, 2), TestData.Uniform(W, 3), TestData.Uniform(B, 4));

    static (double[] W, double[] B) RunTorch(Func<IEnumerable<TorchSharp.Modules.Parameter>, torch.optim.Optimizer> make, int steps)
    {
        var (w0, b0, tw, tb) = Data();
        using var w = new TorchSharp.Modules.Parameter(w0.ToTorch(torch.CPU));
        using var b = new TorchSharp.Modules.Parameter(b0.ToTorch(torch.CPU));
        using var targetW = tw.ToTorch(torch.CPU);
        using var targetB = tb.ToTorch(torch.CPU);
        var opt = make([w, b]);
        for (int i = 0; i < steps; i++)
        {
            opt.zero_grad();
            using var loss = (w - targetW).pow(2).sum() + (b - targetB).pow(2).sum();
            loss.backward();
            opt.step();
        }
        return (w.ToHost(DType.Float64).ToDoubles(), b.ToHost(DType.Float64).ToDoubles());
    }

    [Fact]
    public void AdamW_matches_torch_optim_AdamW()
    {
        var (w0, b0, tw, tb) = Data();
        var graph = RunGraph(new AdamW(0.9, 0.95, 1e-8, 0.05), 5, 0.1, w0, b0, tw, tb);
        var reference = RunTorch(p => torch.optim.AdamW(p, 0.1, 0.9, 0.95, 1e-8, 0.05), 5);
        graph.W.ShouldBe(reference.W, 1e-12);
        graph.B.ShouldBe(reference.B, 1e-12);
    }

    [Fact]
    public void Sgd_with_momentum_and_decay_matches_torch_optim_SGD()
    {
        var (w0, b0, tw, tb) = Data();
        var graph = RunGraph(new Sgd(0.9, 0.01), 5, 0.05, w0, b0, tw, tb);
        var reference = RunTorch(p => torch.optim.SGD(p, 0.05, 0.9, 0, 0.01), 5);
        graph.W.ShouldBe(reference.W, 1e-12);
        graph.B.ShouldBe(reference.B, 1e-12);
    }

    static double Norm(double[] v) => Math.Sqrt(v.Sum(x => x * x));

    [Fact]
    public void Lars_matches_a_host_reference_and_exempts_biases()
    {
        var (w0, b0, tw, tb) = Data();
        const double lr = 0.5, mu = 0.9, wd = 1e-4, eta = 0.001;
        var graph = RunGraph(new Lars(mu, wd, eta) { DecayFilter = Optimizer.ExcludeBiasAndNorm }, 3, lr, w0, b0, tw, tb);

        double[] w = w0.ToDoubles(), b = b0.ToDoubles(), bw = new double[w.Length], bb = new double[b.Length];
        for (int s = 0; s < 3; s++)
        {
            var gw = w.Select((x, i) => 2 * (x - tw[i]) + wd * x).ToArray();
            double trust = eta * Norm(w) / Norm(gw);
            for (int i = 0; i < w.Length; i++) { bw[i] = mu * bw[i] + gw[i] * trust; w[i] -= lr * bw[i]; }
            for (int i = 0; i < b.Length; i++) { bb[i] = mu * bb[i] + 2 * (b[i] - tb[i]); b[i] -= lr * bb[i]; }
        }
        graph.W.ShouldBe(w, 1e-12);
        graph.B.ShouldBe(b, 1e-12);
    }

    [Fact]
    public void Lamb_matches_a_host_reference()
    {
        var (w0, b0, tw, tb) = Data();
        const double lr = 0.05, b1 = 0.9, b2 = 0.99, eps = 1e-6, wd = 0.01;
        var graph = RunGraph(new Lamb(b1, b2, eps, wd), 3, lr, w0, b0, tw, tb);

        double[] Step(double[] p, double[] target, double[] m, double[] v, int t)
        {
            var g = p.Select((x, i) => 2 * (x - target[i])).ToArray();
            var u = new double[p.Length];
            for (int i = 0; i < p.Length; i++)
            {
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                u[i] = m[i] / (1 - Math.Pow(b1, t)) / (Math.Sqrt(v[i] / (1 - Math.Pow(b2, t))) + eps) + wd * p[i];
            }
            double trust = Norm(p) / Norm(u);
            return p.Select((x, i) => x - lr * trust * u[i]).ToArray();
        }
        double[] w = w0.ToDoubles(), b = b0.ToDoubles(), mw = new double[12], vw = new double[12], mb = new double[3], vb = new double[3];
        for (int t = 1; t <= 3; t++)
        {
            w = Step(w, tw.ToDoubles(), mw, vw, t);
            b = Step(b, tb.ToDoubles(), mb, vb, t);
        }
        graph.W.ShouldBe(w, 1e-11);
        graph.B.ShouldBe(b, 1e-11);
    }

    [Fact]
    public void Decay_filter_leaves_biases_undecayed()
    {
        var (w0, b0, _, _) = Data();
        // Targets equal to the start: zero gradient, so only weight decay moves parameters.
        var (w, b) = RunGraph(new AdamW(WeightDecay: 0.1) { DecayFilter = Optimizer.ExcludeBiasAndNorm }, 1, 0.5, w0, b0, w0, b0);
        w.ShouldBe(w0.ToDoubles().Select(x => x * (1 - 0.5 * 0.1)).ToArray(), 1e-12);
        b.ShouldBe(b0.ToDoubles(), 1e-15);
    }

    [Fact]
    public void Global_norm_clipping_scales_to_the_maximum()
    {
        var g = new Dsl.Graph("clip");
        var a = g.Input("a", new Shape(3), DType.Float64);
        var b = g.Input("b", new Shape(2), DType.Float64);
        var (clipped, norm) = GradientClipping.ByGlobalNorm([a, b], 1.0);
        g.Output("norm", norm);
        g.Output("a", clipped[0]);
        g.Output("b", clipped[1]);
        using var c = new TorchBackend().Compile(g);
        var o = c.Run(new Dictionary<string, HostTensor> { ["a"] = HostTensor.F64(new(3), [3, 0, 0]), ["b"] = HostTensor.F64(new(2), [0, 4]) });
        o["norm"].ToScalar().ShouldBe(5, 1e-12);
        Norm([.. o["a"].ToDoubles(), .. o["b"].ToDoubles()]).ShouldBe(1, 1e-6);
        var small = c.Run(new Dictionary<string, HostTensor> { ["a"] = HostTensor.F64(new(3), [0.3, 0, 0]), ["b"] = HostTensor.F64(new(2), [0, 0.4]) });
        small["a"].ToDoubles().ShouldBe([0.3, 0, 0]);
    }

    [Fact]
    public void Warmup_cosine_schedule_rises_linearly_then_decays_to_the_minimum()
    {
        var s = new WarmupCosineSchedule(1.0, WarmupSteps: 10, TotalSteps: 110, MinRate: 0.1);
        s.At(0).ShouldBe(0.1, 1e-12);
        s.At(9).ShouldBe(1.0, 1e-12);
        s.At(10).ShouldBe(1.0, 1e-12);
        s.At(60).ShouldBe(0.55, 1e-12);   // halfway through the cosine
        s.At(110).ShouldBe(0.1, 1e-12);
        Enumerable.Range(10, 100).Select(i => s.At(i)).ShouldBeInOrder(SortDirection.Descending);
    }
}
