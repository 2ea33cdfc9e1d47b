using Dsl.Backend.Torch;
using Dsl.Backend.Torch.Lowering;
using Dsl.Execution;
using Dsl.Tests.Generator.Models;
using Dsl.Tests.Support;

namespace Dsl.Tests.Generator;

/// <summary>
/// For every test model: the generator's Backward equals graph-level autodiff (float64, ≤1e-10
/// relative) and TorchSharp autograd (float64 ≤1e-8, float32 ≤1e-4), for inputs and parameters.
/// </summary>
public class GeneratedModelTests
{
    static GeneratedModelTests() => KernelTable.Register<CubeOp>((_, x) => x[0] * x[0] * x[0]);

    /// <summary>Runs a model's generated Forward and returns its outputs and a closure over its Backward.</summary>
    delegate (Tensor[] Outputs, Func<Tensor[], Dsl.Gradients, Tensor?[]> Backward) Runner(IModel model, Tensor[] inputs);

    sealed record ModelCase(Func<IModel> Create, Shape[] Inputs, Runner Run, string[] ExpectedParameters);

    static readonly Dictionary<string, ModelCase> Cases = new()
    {
        ["linear"] = new(() => new Linear(4, 3), [new(2, 4)], (m, x) =>
        {
            var y = ((Linear)m).Forward(x[0], out var tape);
            return ([y], (d, g) => [((Linear)m).Backward(tape, d[0], g)]);
        }, ["weight", "bias"]),
        ["layer_norm"] = new(() => new LayerNorm(5), [new(3, 5)], (m, x) =>
        {
            var y = ((LayerNorm)m).Forward(x[0], out var tape);
            return ([y], (d, g) => [((LayerNorm)m).Backward(tape, d[0], g)]);
        }, ["weight", "bias"]),
        ["mlp"] = new(() => new Mlp(4, 6), [new(3, 4)], (m, x) =>
        {
            var y = ((Mlp)m).Forward(x[0], out var tape);
            return ([y], (d, g) => [((Mlp)m).Backward(tape, d[0], g)]);
        }, ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]),
        ["attention_block"] = new(() => new AttentionBlock(8, 2, 12), [new(2, 3, 8)], (m, x) =>
        {
            var y = ((AttentionBlock)m).Forward(x[0], out var tape);
            return ([y], (d, g) => [((AttentionBlock)m).Backward(tape, d[0], g)]);
        }, ["norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias", "qkv.weight", "qkv.bias", "proj.weight", "proj.bias", "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias"]),
        ["block_stack_residual"] = new(() => new BlockStack(4, 3, residual: true), [new(2, 4)], (m, x) =>
        {
            var y = ((BlockStack)m).Forward(x[0], out var tape);
            return ([y], (d, g) => [((BlockStack)m).Backward(tape, d[0], g)]);
        }, [.. Enumerable.Range(0, 3).SelectMany(i => new[] { $"blocks.{i}.fc1.weight", $"blocks.{i}.fc1.bias", $"blocks.{i}.fc2.weight", $"blocks.{i}.fc2.bias" }),
            .. Enumerable.Range(0, 3).SelectMany(i => new[] { $"norms.{i}.weight", $"norms.{i}.bias" })]),
        ["block_stack_plain"] = new(() => new BlockStack(4, 2, residual: false), [new(2, 4)], (m, x) =>
        {
            var y = ((BlockStack)m).Forward(x[0], out var tape);
            return ([y], (d, g) => [((BlockStack)m).Backward(tape, d[0], g)]);
        }, [.. Enumerable.Range(0, 2).SelectMany(i => new[] { $"blocks.{i}.fc1.weight", $"blocks.{i}.fc1.bias", $"blocks.{i}.fc2.weight", $"blocks.{i}.fc2.bias" }),
            .. Enumerable.Range(0, 2).SelectMany(i => new[] { $"norms.{i}.weight", $"norms.{i}.bias" })]),
        ["shared_encoder"] = new(() => new SharedEncoder(4), [new(3, 4), new(3, 4)], (m, x) =>
        {
            var y = ((SharedEncoder)m).Forward(x[0], x[1], out var tape);
            return ([y], (d, g) => ((SharedEncoder)m).Backward(tape, d[0], g));
        }, ["encoder.weight", "encoder.bias", "scale"]),
        ["two_heads"] = new(() => new TwoHeads(4), [new(3, 4)], (m, x) =>
        {
            var (a, b) = ((TwoHeads)m).Forward(x[0], out var tape);
            return ([a, b], (d, g) => [((TwoHeads)m).Backward(tape, d[0], d[1], g)]);
        }, ["left.weight", "left.bias", "right.weight", "right.bias"]),
        ["batch_norm_training"] = new(() => new BatchNorm1d(3), [new(6, 3)], (m, x) =>
        {
            var y = ((BatchNorm1d)m).Forward(x[0], out var tape);
            return ([y], (d, g) => [((BatchNorm1d)m).Backward(tape, d[0], g)]);
        }, ["weight", "bias"]),
        ["batch_norm_eval"] = new(() => new BatchNorm1d(3) { Training = false }, [new(6, 3)], (m, x) =>
        {
            var y = ((BatchNorm1d)m).Forward(x[0], out var tape);
            return ([y], (d, g) => [((BatchNorm1d)m).Backward(tape, d[0], g)]);
        }, ["weight", "bias"]),
        ["custom_op_and_helper"] = new(() => new UsesCustomOp(4), [new(3, 4)], (m, x) =>
        {
            var y = ((UsesCustomOp)m).Forward(x[0], out var tape);
            return ([y], (d, g) => [((UsesCustomOp)m).Backward(tape, d[0], g)]);
        }, ["heads.left.weight", "heads.left.bias", "heads.right.weight", "heads.right.bias"]),
        ["repeated_read"] = new(() => new RepeatedRead(4, 3), [new(2, 4)], (m, x) =>
        {
            var y = ((RepeatedRead)m).Forward(x[0], out var tape);
            return ([y], (d, g) => [((RepeatedRead)m).Backward(tape, d[0], g)]);
        }, [.. Enumerable.Range(0, 3).SelectMany(i => new[] { $"layers.{i}.weight", $"layers.{i}.bias" })]),
    };

    public static TheoryData<string> Names => new(Cases.Keys);

    sealed record Built(Dsl.Graph Graph, Tensor Loss, Tensor[] Inputs, IReadOnlyList<NamedValue> Parameters, Dictionary<string, HostTensor> Feeds);

    static Built Build(string name, DType dtype)
    {
        var c = Cases[name];
        var g = new Dsl.Graph(name);
        var model = ModelContext.Build(g, () => c.Create(), out var registry, parameterType: dtype);
        var xs = c.Inputs.Select((s, i) => g.Input($"x{i}", s, dtype)).ToArray();
        var (outs, backward) = c.Run(model, xs);
        var cots = outs.Select((o, i) => g.Input($"cot{i}", o.Shape, dtype)).ToArray();
        var loss = outs.Zip(cots, (o, ct) => Ops.Sum(o * ct)).Aggregate((a, b) => a + b);
        g.Output("loss", loss);

        var grads = new Dsl.Gradients();
        var generated = backward(cots, grads);
        var parameters = registry.Parameters;
        var reference = Autodiff.Gradients(loss, [.. xs, .. parameters.Select(p => p.Value)]);
        for (int i = 0; i < xs.Length; i++)
        {
            g.Output($"gen_d{i}", generated[i] ?? Ops.ZerosLike(xs[i]));
            g.Output($"ad_d{i}", reference[i]);
        }
        for (int p = 0; p < parameters.Count; p++)
        {
            g.Output($"gen_{parameters[p].Name}", grads[parameters[p].Value]);
            g.Output($"ad_{parameters[p].Name}", reference[xs.Length + p]);
        }

        var feeds = new Dictionary<string, HostTensor>();
        int seed = 100;
        foreach (var t in xs.Concat(cots)) feeds[t.Name!] = TestData.Uniform(t.Shape, seed++, dtype: dtype);
        foreach (var p in parameters) feeds[p.Name] = TestData.Uniform(p.Value.Shape, seed++, -0.7, 0.7, dtype);
        foreach (var b in registry.Buffers) feeds[b.Name] = TestData.Uniform(b.Value.Shape, seed++, 0.5, 1.5, dtype);
        return new Built(g, loss, xs, parameters, feeds);
    }

    [Fact]
    public void Batch_norm_updates_its_running_statistics_in_training_only()
    {
        var training = Build("batch_norm_training", DType.Float32).Graph;
        training.Updates.Select(u => u.Target.Name).ShouldBe(["running_mean", "running_var"]);
        Build("batch_norm_eval", DType.Float32).Graph.Updates.ShouldBeEmpty();

        using var compiled = new TorchBackend().Compile(training);
        var x = TestData.Uniform(new Shape(6, 3), 5, dtype: DType.Float32);
        compiled.SetPersistent("running_var", HostTensor.Filled(new Shape(3), DType.Float32, 1));
        compiled.Run(new Dictionary<string, HostTensor> { ["x0"] = x, ["cot0"] = x });
        var column0 = Enumerable.Range(0, 6).Select(i => x.ToDoubles()[i * 3]).ToArray();
        double mean = column0.Average(), unbiased = column0.Sum(v => (v - mean) * (v - mean)) / 5;
        compiled.GetPersistent("running_mean").ToDoubles()[0].ShouldBe(0.1 * mean, 1e-6);
        compiled.GetPersistent("running_var").ToDoubles()[0].ShouldBe(0.9 + 0.1 * unbiased, 1e-6);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Registry_uses_pytorch_dotted_names_in_declaration_order(string name)
    {
        var built = Build(name, DType.Float32);
        built.Parameters.Select(p => p.Name).ShouldBe(Cases[name].ExpectedParameters);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Generated_backward_equals_graph_autodiff_and_torch_autograd_f64(string name) => Check(name, DType.Float64, 1e-10, 1e-8);

    [Theory]
    [MemberData(nameof(Names))]
    public void Generated_backward_equals_torch_autograd_f32(string name) => Check(name, DType.Float32, 1e-5, 1e-4);

    static void Check(string name, DType dtype, double rtolGraphAd, double rtolTorch)
    {
        var built = Build(name, dtype);
        using var compiled = new TorchBackend().Compile(built.Graph);
        foreach (var p in built.Graph.Persistent) compiled.SetPersistent(p.Name!, built.Feeds[p.Name!]);
        var results = compiled.Run(built.Feeds.Where(f => built.Graph.Contains(f.Key) && built.Graph[f.Key].Kind == ValueKind.Input).ToDictionary());

        var wrt = built.Inputs.Concat(built.Parameters.Select(p => p.Value)).ToArray();
        var oracle = TorchOracle.Gradients(built.Graph, built.Loss, built.Feeds, HostTensor.Filled(Shape.Scalar, dtype, 1), wrt);
        var names = built.Inputs.Select((_, i) => $"d{i}").Concat(built.Parameters.Select(p => p.Name)).ToArray();
        for (int k = 0; k < names.Length; k++)
        {
            var gen = results["gen_" + names[k]];
            Close.Assert(gen, results["ad_" + names[k]], rtolGraphAd, rtolGraphAd * 1e-2, $"{name}: generated vs graph AD, {names[k]}");
            Close.Assert(gen, oracle[k], rtolTorch, rtolTorch * 1e-2, $"{name}: generated vs TorchSharp autograd, {names[k]}");
        }
    }
}
