using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Models.Training;
using Dsl.Tests.Support;
using TorchSharp;

namespace Dsl.Tests.Training;

/// <summary>
/// The flat optimizer step (one vector for all parameters and for each kind of state) equals the
/// per-parameter step it replaced, and torch.optim where one exists, with clipping on and off and
/// with an auxiliary head clipped on its own.
/// </summary>
public class FlatOptimizerTests
{
    public enum Clipping { None, Global, WithAuxiliaryHead }

    const double MaxNorm = 1.0;
    const int Steps = 5;

    /// <summary>Every optimizer configuration under test, by name.</summary>
    static Optimizer Make(string name) => name switch
    {
        "sgd" => new Sgd(Momentum: 0),
        "sgd-momentum" => new Sgd(Momentum: 0.9),
        "sgd-nesterov-decay" => new Sgd(Momentum: 0.9, WeightDecay: 0.01, Nesterov: true),
        "sgd-momentum-decay-filter" => new Sgd(Momentum: 0.9, WeightDecay: 0.05) { DecayFilter = Optimizer.ExcludeBiasAndNorm },
        "adamw" => new AdamW(0.9, 0.95, 1e-8, 0.05),
        "adamw-filter" => new AdamW(0.9, 0.95, 1e-8, 0.05) { DecayFilter = Optimizer.ExcludeBiasAndNorm },
        "adamw-no-decay" => new AdamW(0.9, 0.95, 1e-8, 0),
        "lars" => new Lars(0.9, 1e-3, 0.01),
        "lars-filter" => new Lars(0.9, 1e-3, 0.01) { DecayFilter = Optimizer.ExcludeBiasAndNorm },
        "lamb" => new Lamb(0.9, 0.99, 1e-6, 0.01),
        "lamb-filter" => new Lamb(0.9, 0.99, 1e-6, 0.01) { DecayFilter = Optimizer.ExcludeBiasAndNorm },
        _ => throw new ArgumentException(name),
    };

    static readonly string[] TorchOptimizers = ["sgd", "sgd-momentum", "sgd-nesterov-decay", "sgd-momentum-decay-filter", "adamw", "adamw-filter", "adamw-no-decay"];
    static readonly string[] AllOptimizers = [.. TorchOptimizers, "lars", "lars-filter", "lamb", "lamb-filter"];

    public static TheoryData<string, Clipping, DType> EveryConfiguration()
    {
        var data = new TheoryData<string, Clipping, DType>();
        foreach (var name in AllOptimizers)
            foreach (var clipping in Enum.GetValues<Clipping>())
                foreach (var dtype in new[] { DType.Float64, DType.Float32 })
                    data.Add(name, clipping, dtype);
        return data;
    }

    public static TheoryData<string, Clipping> TorchConfigurations()
    {
        var data = new TheoryData<string, Clipping>();
        foreach (var name in TorchOptimizers)
            foreach (var clipping in Enum.GetValues<Clipping>())
                data.Add(name, clipping);
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryConfiguration))]
    public void Flat_step_equals_the_per_parameter_step(string optimizer, Clipping clipping, DType dtype)
    {
        var flat = RunGraph(Make(optimizer), clipping, dtype, perParameter: false);
        var reference = RunGraph(Make(optimizer), clipping, dtype, perParameter: true);
        // Elementwise steps agree to rounding: the flat graph may run a ± c·b as one add with alpha
        // (one rounding, ScaledAddFusion) where the per-parameter one multiplies first, or the
        // other way round (the decay mask is not a scalar). Norms (clipping, LARS/LAMB trust
        // ratios) sum in another order.
        bool reduces = clipping != Clipping.None || optimizer.StartsWith("lars", StringComparison.Ordinal) || optimizer.StartsWith("lamb", StringComparison.Ordinal);
        double tolerance = !reduces ? (dtype == DType.Float64 ? 1e-14 : 1e-6) : dtype == DType.Float64 ? 1e-9 : 1e-5;
        foreach (var (name, expected) in reference)
            flat[name].ShouldBe(expected, tolerance, name);
    }

    [Theory]
    [MemberData(nameof(TorchConfigurations))]
    public void Trainer_steps_equal_torch_optim(string optimizer, Clipping clipping)
    {
        const double lr = 0.05;
        var options = new TrainerOptions(1, Make(optimizer), new ConstantSchedule(lr), clipping == Clipping.None ? null : MaxNorm, Seed: 1);
        using var trainer = new Trainer(new TorchBackend(), new QuadraticTask(clipping == Clipping.WithAuxiliaryHead), options);
        var first = trainer.RunStep(new Dictionary<string, HostTensor>());
        if (clipping != Clipping.None) first.Metrics["grad_norm"].ShouldBeGreaterThan(2 * MaxNorm, "clipping must be active");
        trainer.Fit(new NoBatches(), Steps);

        var reference = RunTorch(optimizer, clipping, lr);
        foreach (var (name, expected) in reference)
            trainer.Compiled.GetPersistent(name).ToDoubles().ShouldBe(expected, 1e-5, name);
    }

    [Fact]
    public void State_is_one_flat_buffer_per_kind()
    {
        var g = new Dsl.Graph("state");
        var ps = Quadratic.Parameters.Select(p => g.Parameter(p.Name, p.Shape, DType.Float64)).ToArray();
        var lr = g.Input("lr", Shape.Scalar, DType.Float64);
        new AdamW().AddUpdates(g, ps, Autodiff.Gradients(Quadratic.Loss(ps), ps), lr);
        int total = Quadratic.Parameters.Sum(p => (int)p.Shape.Numel);
        g.Persistent.Where(v => v.Kind == ValueKind.State).Select(v => $"{v.Name}: {v.Type}")
            .ShouldBe([$"optim.step: f64[]", $"optim.exp_avg: f64[{total}]", $"optim.exp_avg_sq: f64[{total}]"]);
    }

    [Fact]
    public void Pack_orders_parameters_by_declaration_and_round_trips()
    {
        var g = new Dsl.Graph("pack");
        var a = g.Parameter("a", new Shape(2, 3));
        var b = g.Parameter("b", new Shape(4));
        var c = g.Parameter("c", Shape.Scalar);
        var pack = new ParameterPack([c, a, b]);
        pack.Parameters.ShouldBe([a, b, c]);
        (pack.Offset(0), pack.Offset(1), pack.Offset(2), pack.Total).ShouldBe((0, 6, 10, 11));
        pack.Ranges(p => p == b ? 1 : 0).ShouldBe([new PackRange(0, 6, 0), new PackRange(6, 10, 1), new PackRange(10, 11, 0)]);

        var flat = pack.FlattenParameters();
        var parts = pack.Unflatten(flat * 2.0);
        for (int i = 0; i < 3; i++) g.Output(pack.Parameters[i].Name!, parts[i]);
        using var compiled = new TorchBackend().Compile(g);
        var values = new[] { a, b, c }.ToDictionary(p => p.Name!, p => TestData.Uniform(p.Shape, p.Id, dtype: DType.Float32));
        foreach (var (name, value) in values) compiled.SetPersistent(name, value);
        var outputs = compiled.Run(new Dictionary<string, HostTensor>());
        foreach (var (name, value) in values)
        {
            outputs[name].Shape.ShouldBe(value.Shape);
            outputs[name].ToDoubles().ShouldBe(value.ToDoubles().Select(x => 2 * x).ToArray(), 1e-6);
        }
    }

    /// <summary>
    /// <paramref name="steps"/> steps on <see cref="Quadratic"/> in a graph: the flat path as <see cref="Trainer"/>
    /// builds it (one flattened gradient, clipped per group, flat update), or the per-parameter reference.
    /// </summary>
    static Dictionary<string, double[]> RunGraph(Optimizer optimizer, Clipping clipping, DType dtype, bool perParameter, int steps = Steps)
    {
        var g = new Dsl.Graph("step");
        var ps = Quadratic.Parameters.Select(p => g.Parameter(p.Name, p.Shape, dtype)).ToArray();
        var lr = g.Input("lr", Shape.Scalar, dtype);
        var grads = Autodiff.Gradients(Quadratic.Loss(ps), ps);
        var head = ps[^Quadratic.Auxiliary..];
        if (perParameter)
        {
            var clipped = clipping switch
            {
                Clipping.None => grads,
                Clipping.Global => PerParameterOptimizers.Clip(grads, MaxNorm),
                _ => [.. PerParameterOptimizers.Clip(grads[..^Quadratic.Auxiliary], MaxNorm), .. PerParameterOptimizers.Clip(grads[^Quadratic.Auxiliary..], MaxNorm)],
            };
            PerParameterOptimizers.AddUpdates(g, optimizer, ps, clipped, lr);
        }
        else if (clipping == Clipping.None)
        {
            // The list overload, parameters given out of declaration order.
            optimizer.AddUpdates(g, [.. ps.Reverse()], [.. grads.Reverse()], lr);
        }
        else
        {
            var pack = new ParameterPack(ps);
            var flat = pack.Flatten(pack.Arrange(ps, grads));
            var groups = pack.Ranges(p => clipping == Clipping.WithAuxiliaryHead && head.Contains(p) ? 1 : 0);
            optimizer.AddUpdates(g, pack, GradientClipping.ByGroupNorms(flat, groups, MaxNorm).Clipped, lr);
        }
        using var compiled = new TorchBackend().Compile(g);
        for (int i = 0; i < ps.Length; i++) compiled.SetPersistent(ps[i].Name!, Quadratic.Initial(i, dtype));
        var feeds = new Dictionary<string, HostTensor> { ["lr"] = HostTensor.Filled(Shape.Scalar, dtype, 0.05) };
        for (int s = 0; s < steps; s++) compiled.Run(feeds);
        return ps.ToDictionary(p => p.Name!, p => compiled.GetPersistent(p.Name!).ToDoubles());
    }

    /// <summary>The same steps in TorchSharp: autograd, clip_grad_norm_ (per group), torch.optim (param groups for the filter).</summary>
    static Dictionary<string, double[]> RunTorch(string optimizer, Clipping clipping, double lr)
    {
        var ps = Quadratic.Parameters.Select((_, i) => new TorchSharp.Modules.Parameter(Quadratic.Initial(i, DType.Float32).ToTorch(torch.CPU))).ToArray();
        var targets = Quadratic.Parameters.Select((_, i) => Quadratic.Target(i, DType.Float32).ToTorch(torch.CPU)).ToArray();
        var decayed = ps.Where(p => p.dim() >= 2).ToArray();
        var exempt = ps.Where(p => p.dim() < 2).ToArray();
        using torch.optim.Optimizer opt = optimizer switch
        {
            "sgd" => torch.optim.SGD(ps, lr, 0, 0, 0, false, false),
            "sgd-momentum" => torch.optim.SGD(ps, lr, 0.9, 0, 0, false, false),
            "sgd-nesterov-decay" => torch.optim.SGD(ps, lr, 0.9, 0, 0.01, true, false),
            "sgd-momentum-decay-filter" => torch.optim.SGD(
                [new TorchSharp.Modules.SGD.ParamGroup(decayed, lr, 0.9, 0, 0.05, false, false), new TorchSharp.Modules.SGD.ParamGroup(exempt, lr, 0.9, 0, 0, false, false)],
                lr, 0.9, 0, 0, false, false),
            "adamw" => torch.optim.AdamW(ps, lr, 0.9, 0.95, 1e-8, 0.05),
            "adamw-filter" => torch.optim.AdamW(
                [new TorchSharp.Modules.AdamW.ParamGroup(decayed, lr, 0.9, 0.95, 1e-8, 0.05, false, false), new TorchSharp.Modules.AdamW.ParamGroup(exempt, lr, 0.9, 0.95, 1e-8, 0, false, false)],
                lr, 0.9, 0.95, 1e-8, 0.05),
            "adamw-no-decay" => torch.optim.AdamW(ps, lr, 0.9, 0.95, 1e-8, 0),
            _ => throw new ArgumentException(optimizer),
        };
        for (int s = 0; s < Steps; s++)
        {
            opt.zero_grad();
            using (var loss = ps.Select((p, i) => (p - targets[i]).pow(2).sum() * Quadratic.Parameters[i].Scale).Aggregate((a, b) => a + b))
                loss.backward();
            if (clipping == Clipping.Global) torch.nn.utils.clip_grad_norm_(ps, MaxNorm, 2);
            if (clipping == Clipping.WithAuxiliaryHead)
            {
                torch.nn.utils.clip_grad_norm_(ps[..^Quadratic.Auxiliary], MaxNorm, 2);
                torch.nn.utils.clip_grad_norm_(ps[^Quadratic.Auxiliary..], MaxNorm, 2);
            }
            opt.step();
        }
        var result = ps.Select((p, i) => (Quadratic.Parameters[i].Name, p.ToHost(DType.Float64).ToDoubles())).ToDictionary();
        foreach (var t in ps.Concat<torch.Tensor>(targets)) t.Dispose();
        return result;
    }

    /// <summary>
    /// loss = Σᵢ cᵢ Σ (pᵢ − tᵢ)² over parameters of ranks 0–3; scales cᵢ make the gradient norms
    /// (a few units) well above <see cref="MaxNorm"/>. The last two are the auxiliary head.
    /// </summary>
    internal static class Quadratic
    {
        public static readonly (string Name, Shape Shape, double Scale)[] Parameters =
        [
            ("encoder.weight", new(4, 3), 1.0), ("encoder.bias", new(4), 3.0), ("block.weight", new(2, 3, 2), 0.5),
            ("block.bias", new(5), 2.0), ("block.gain", Shape.Scalar, 1.0), ("probe.weight", new(3, 4), 1.5), ("probe.bias", new(3), 4.0),
        ];

        public const int Auxiliary = 2;

        /// <summary>Initial value of parameter i; block.bias starts at 0, so LARS/LAMB meet a zero weight norm (trust 1).</summary>
        public static HostTensor Initial(int i, DType dtype) => Parameters[i].Name == "block.bias"
            ? HostTensor.Filled(Parameters[i].Shape, dtype, 0)
            : TestData.Uniform(Parameters[i].Shape, 10 + i, dtype: dtype);

        public static HostTensor Target(int i, DType dtype) => TestData.Uniform(Parameters[i].Shape, 20 + i, -2, 2, dtype);

        public static Tensor Loss(IReadOnlyList<Tensor> ps) => ps
            .Select((p, i) => Ops.Sum(Ops.PowScalar(p - Ops.Constant(p.Graph, Target(i, p.DType)), 2)) * Parameters[i].Scale)
            .Aggregate((a, b) => a + b);
    }

    /// <summary><see cref="Quadratic"/> as a training task (f32, as the trainer's learning rate).</summary>
    sealed class QuadraticTask(bool auxiliaryHead) : ITrainingTask
    {
        public string Name => "quadratic";

        public TrainingGraph Build(Dsl.Graph graph, int batchSize)
        {
            var ps = Quadratic.Parameters.Select(p => graph.Parameter(p.Name, p.Shape)).ToArray();
            var loss = Quadratic.Loss(ps);
            return new TrainingGraph(loss, new Dictionary<string, Tensor>(), ps, Autodiff.Gradients(loss, ps)) { AuxiliaryCount = auxiliaryHead ? Quadratic.Auxiliary : 0 };
        }

        public IReadOnlyDictionary<string, HostTensor> InitialValues(int seed) =>
            Quadratic.Parameters.Select((p, i) => (p.Name, Quadratic.Initial(i, DType.Float32))).ToDictionary();
    }

    sealed class NoBatches : IBatchSource
    {
        public IReadOnlyDictionary<string, HostTensor> Batch(long step) => new Dictionary<string, HostTensor>();
    }
}
