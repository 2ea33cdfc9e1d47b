using Dsl.Backend.Torch;
using Dsl.Execution;
using TorchSharp;

namespace Dsl.Tests.Backend;

/// <summary>
/// Backend.Torch's plan rewrites: results written into dying inputs never overwrite a value that
/// is still read (directly or through a view), and constants computed once at compile stay valid.
/// </summary>
public class PlanRewriteTests
{
    static readonly Shape S = new(3, 4);

    static HostTensor X => HostTensor.F64(S, [.. Enumerable.Range(0, 12).Select(i => (i - 5.5) / 3)]);

    static double[] Run(Graph g, string output, out TorchCompiledGraph compiled)
    {
        compiled = (TorchCompiledGraph)new TorchBackend().Compile(g);
        return compiled.Run(new Dictionary<string, HostTensor> { ["x"] = X })[output].ToDoubles();
    }

    static double[] Expected(Func<double, double> f) => [.. X.ToDoubles().Select(f)];

    [Fact]
    public void A_dying_intermediate_is_overwritten_in_place()
    {
        var g = new Graph("chain");
        var x = g.Input("x", S, DType.Float64);
        g.Output("y", Ops.Relu(Ops.Exp(x) * 2.0 - 3.0));
        var y = Run(g, "y", out var compiled);
        using (compiled) compiled.InPlaceSteps.ShouldBeGreaterThanOrEqualTo(2);   // sub and relu write into their input
        y.ShouldBe(Expected(v => Math.Max(0, Math.Exp(v) * 2 - 3)), 1e-12);
    }

    [Fact]
    public void An_input_read_later_is_not_overwritten()
    {
        var g = new Graph("read_later");
        var x = g.Input("x", S, DType.Float64);
        var a = Ops.Exp(x);
        var b = Ops.Relu(a - 2.0);          // a is read again below: b must not write into a
        g.Output("y", b * a);
        var y = Run(g, "y", out var compiled);
        compiled.Dispose();
        y.ShouldBe(Expected(v => Math.Max(0, Math.Exp(v) - 2) * Math.Exp(v)), 1e-12);
    }

    [Fact]
    public void An_input_with_a_live_view_is_not_overwritten()
    {
        var g = new Graph("view");
        var x = g.Input("x", S, DType.Float64);
        var a = Ops.Exp(x);
        var view = Ops.Reshape(a, 12);       // shares a's storage
        var b = Ops.Relu(a);                 // a's last direct use: writing here would change the view
        g.Output("y", Ops.Reshape(b, 12) + view);
        var y = Run(g, "y", out var compiled);
        compiled.Dispose();
        y.ShouldBe(Expected(v => 2 * Math.Exp(v)), 1e-12);
    }

    [Fact]
    public void Graph_inputs_and_parameters_are_never_overwritten()
    {
        var g = new Graph("inputs");
        var x = g.Input("x", S, DType.Float64);
        var w = g.Parameter("w", S, DType.Float64);
        g.Output("y", Ops.Relu(x) + Ops.Exp(w));
        using var compiled = (TorchCompiledGraph)new TorchBackend().Compile(g);
        compiled.SetPersistent("w", HostTensor.F64(S, new double[12]));
        var feeds = new Dictionary<string, HostTensor> { ["x"] = X };
        compiled.Run(feeds);
        compiled.Run(feeds)["y"].ToDoubles().ShouldBe(Expected(v => Math.Max(0, v) + 1), 1e-12);
        compiled.GetPersistent("w").ToDoubles().ShouldAllBe(v => v == 0);
        feeds["x"].ToDoubles().ShouldBe(X.ToDoubles());
    }

    [Fact]
    public void An_add_of_a_scaled_product_runs_as_one_add_with_alpha_or_addcmul()
    {
        var g = new Graph("scaled_add");
        var x = g.Input("x", S, DType.Float64);
        var a = Ops.Exp(x);
        var axpy = a + x * 0.3;                     // add(a, x, alpha 0.3)
        var acm = axpy - (x * a) * 0.5;             // addcmul(axpy, x, a, value -0.5)
        var shared = x * 2.0;                       // read twice: stays a product
        g.Output("y", acm + shared * shared);
        var y = Run(g, "y", out var compiled);
        using (compiled) compiled.ScaledAdds.ShouldBe(2);
        y.ShouldBe(Expected(v => Math.Exp(v) + 0.3 * v - 0.5 * v * Math.Exp(v) + 4 * v * v), 1e-12);
    }

    /// <summary>A moment-like state m ← 0.5·m + x (and optionally also read after its update's first op).</summary>
    static TorchCompiledGraph StateStep(bool readAfter)
    {
        var g = new Graph("state");
        var x = g.Input("x", S, DType.Float64);
        var m = g.State("m", S, DType.Float64);
        var next = m * 0.5 + x;
        g.Update(m, next);
        g.Output("y", readAfter ? next * 2.0 + m : next * 2.0);
        var compiled = (TorchCompiledGraph)new TorchBackend().Compile(g);
        compiled.SetPersistent("m", HostTensor.F64(S, [.. Enumerable.Range(0, 12).Select(i => (double)i)]));
        return compiled;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Optimizer_state_advances_in_its_own_buffer_only_when_nothing_reads_it_later(bool readAfter)
    {
        using var compiled = StateStep(readAfter);
        compiled.UpdateCopyCount.ShouldBe(readAfter ? 1 : 0, "state read after its first op must keep its old value until the copy");
        var m = Enumerable.Range(0, 12).Select(i => (double)i).ToArray();
        var feeds = new Dictionary<string, HostTensor> { ["x"] = X };
        long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int run = 0; run < 3; run++)
        {
            var next = m.Zip(X.ToDoubles(), (a, b) => a * 0.5 + b).ToArray();
            compiled.Run(feeds)["y"].ToDoubles().ShouldBe(next.Zip(m, (n, old) => n * 2 + (readAfter ? old : 0)).ToArray(), 1e-12);
            compiled.GetPersistent("m").ToDoubles().ShouldBe(next, 1e-12);
            m = next;
        }
        DisposeScopeManager.Statistics.ThreadTotalLiveCount.ShouldBe(live, "the state tensor is neither leaked nor disposed by the run");
    }

    [Fact]
    public void Constants_are_computed_once_and_stay_valid_across_runs()
    {
        var g = new Graph("constants");
        var x = g.Input("x", S, DType.Float64);
        var scale = Ops.Sqrt(Ops.Full(g, S, 4.0, DType.Float64)) + 1.0;   // 3 everywhere, hoisted
        g.Output("y", Ops.Relu(x * scale));                            // relu may write into x·scale, never into scale
        using var compiled = (TorchCompiledGraph)new TorchBackend().Compile(g);
        compiled.HoistedValues.ShouldBeGreaterThan(0);
        var feeds = new Dictionary<string, HostTensor> { ["x"] = X };
        long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int run = 0; run < 3; run++)
            compiled.Run(feeds)["y"].ToDoubles().ShouldBe(Expected(v => Math.Max(0, 3 * v)), 1e-12);
        DisposeScopeManager.Statistics.ThreadTotalLiveCount.ShouldBe(live);
    }
}

/// <summary>Parameters share one flat buffer: a flat optimizer reads it as a view and writes it back with one copy.</summary>
public class FlatParameterTests
{
    static (Graph Graph, Tensor P1, Tensor P2) FlatStep(bool selfAlias)
    {
        var g = new Graph("flat");
        var p1 = g.Parameter("p1", new Shape(2, 3), DType.Float64);
        var p2 = g.Parameter("p2", new Shape(4), DType.Float64);
        var flat = Ops.Concat(0, Ops.Reshape(p1, 6), p2);
        g.Output("norm", Ops.Sum(flat * flat));
        var next = selfAlias ? flat : flat * 0.5 + 1.0;
        g.Update(p1, Ops.Reshape(Ops.Slice(next, 0, 0, 6), 2, 3));
        g.Update(p2, Ops.Slice(next, 0, 6, 10));
        return (g, p1, p2);
    }

    [Fact]
    public void A_flat_update_reads_the_parameter_buffer_and_writes_it_back_in_one_copy()
    {
        var (g, _, _) = FlatStep(selfAlias: false);
        using var compiled = (TorchCompiledGraph)new TorchBackend().Compile(g);
        compiled.ParameterViews.ShouldBe(1);
        compiled.UpdateCopyCount.ShouldBe(1);
        compiled.SetPersistent("p1", HostTensor.F64(new Shape(2, 3), [1, 2, 3, 4, 5, 6]));
        compiled.SetPersistent("p2", HostTensor.F64(new Shape(4), [7, 8, 9, 10]));
        compiled.Run(new Dictionary<string, HostTensor>())["norm"].ToScalar().ShouldBe(385);
        compiled.GetPersistent("p1").ToDoubles().ShouldBe([1.5, 2, 2.5, 3, 3.5, 4]);
        compiled.GetPersistent("p2").ToDoubles().ShouldBe([4.5, 5, 5.5, 6]);
        compiled.Run(new Dictionary<string, HostTensor>());
        compiled.GetPersistent("p2").ToDoubles().ShouldBe([3.25, 3.5, 3.75, 4]);
    }

    [Fact]
    public void Updates_from_the_parameter_view_itself_keep_the_values()
    {
        var (g, _, _) = FlatStep(selfAlias: true);
        using var compiled = new TorchBackend().Compile(g);
        compiled.SetPersistent("p1", HostTensor.F64(new Shape(2, 3), [1, 2, 3, 4, 5, 6]));
        compiled.SetPersistent("p2", HostTensor.F64(new Shape(4), [7, 8, 9, 10]));
        compiled.Run(new Dictionary<string, HostTensor>());
        compiled.GetPersistent("p1").ToDoubles().ShouldBe([1, 2, 3, 4, 5, 6]);
        compiled.GetPersistent("p2").ToDoubles().ShouldBe([7, 8, 9, 10]);
    }
}

/// <summary>The shared trainer's flat optimizer meets the flat parameter buffer.</summary>
public class FlatTrainerStepTests
{
    [Fact]
    public void The_trainer_step_reads_parameters_as_one_view_and_writes_them_with_one_copy()
    {
        var task = new Dsl.Models.Methods.SimClrTask(Dsl.Models.Methods.Backbone.Conv(1, 8), 1, 28, 8, 0.2);
        var options = new Dsl.Models.Training.TrainerOptions(4, new Dsl.Models.Training.AdamW(), new Dsl.Models.Training.ConstantSchedule(1e-3), ClipNorm: 5);
        using var trainer = new Dsl.Models.Training.Trainer(new TorchBackend(), task, options);
        var compiled = (TorchCompiledGraph)trainer.Compiled;
        compiled.ParameterViews.ShouldBe(1);
        int parameters = trainer.StepGraph.Parameters.Count();
        // one copy for all parameters; the optimizer's flat state (exp_avg, exp_avg_sq, step) advances in its own buffers
        compiled.UpdateCopyCount.ShouldBe(1, $"{parameters} parameters");
    }
}
