using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Models.Blocks;
using Dsl.Models.Vision;
using Dsl.Tests.Support;
using Blocks = Dsl.Models.Blocks;

namespace Dsl.Tests.ModelBlocks;

/// <summary>
/// For small configurations of every block, a tiny ViT and tiny ResNets: the generated Backward
/// equals graph-level autodiff and TorchSharp autograd in float64, for inputs and parameters
/// (the harness of Tests/Generator/GeneratedModelTests).
/// </summary>
public class BlockGradientTests
{
    /// <summary>Runs a model's generated Forward and returns its output and a closure over its Backward.</summary>
    delegate (Tensor Output, Func<Tensor, Dsl.Gradients, Tensor?> Backward) Runner(IModel model, Tensor input);

    sealed record ModelCase(Func<IModel> Create, Shape Input, Runner Run, string[]? ExpectedParameters = null);

    static ModelCase Case<M>(Func<M> create, Shape input, Func<M, Tensor, (Tensor, Func<Tensor, Dsl.Gradients, Tensor?>)> run, string[]? names = null)
        where M : IModel => new(() => create(), input, (m, x) => run((M)m, x), names);

    static readonly string[] LinearNames = ["weight", "bias"];
    static readonly string[] BnNames = ["weight", "bias"];

    static readonly Dictionary<string, ModelCase> Cases = new()
    {
        ["linear"] = Case(() => new Blocks.Linear(4, 3), new(2, 4), (m, x) => { var y = m.Forward(x, out var t); return (y, (d, g) => m.Backward(t, d, g)); }, LinearNames),
        ["linear_no_bias"] = Case(() => new Blocks.Linear(4, 3, bias: false), new(2, 5, 4), (m, x) => { var y = m.Forward(x, out var t); return (y, (d, g) => m.Backward(t, d, g)); }, ["weight"]),
        ["conv2d"] = Case(() => new Conv2d(2, 3, 3, stride: 2, padding: 1), new(2, 2, 5, 5), (m, x) => { var y = m.Forward(x, out var t); return (y, (d, g) => m.Backward(t, d, g)); }, ["weight", "bias"]),
        ["conv2d_no_bias"] = Case(() => new Conv2d(2, 3, 3, padding: 1, bias: false), new(2, 2, 4, 4), (m, x) => { var y = m.Forward(x, out var t); return (y, (d, g) => m.Backward(t, d, g)); }, ["weight"]),
        ["conv2d_grouped"] = Case(() => new Conv2d(4, 6, 3, padding: 1, groups: 2), new(2, 4, 5, 5), (m, x) => { var y = m.Forward(x, out var t); return (y, (d, g) => m.Backward(t, d, g)); }, ["weight", "bias"]),
        ["conv2d_depthwise"] = Case(() => new Conv2d(3, 3, 3, stride: 2, padding: 1, bias: false, groups: 3), new(2, 3, 6, 6), (m, x) => { var y = m.Forward(x, out var t); return (y, (d, g) => m.Backward(t, d, g)); }, ["weight"]),
        ["layer_norm"] = Case(() => new Blocks.LayerNorm(5, 1e-6), new(3, 5), (m, x) => { var y = m.Forward(x, out var t); return (y, (d, g) => m.Backward(t, d, g)); }, ["weight", "bias"]),
        ["batch_norm1d_training"] = Case(() => new Blocks.BatchNorm1d(3), new(6, 3), (m, x) => { var y = m.Forward(x, out var t); return (y, (d, g) => m.Backward(t, d, g)); }, BnNames),
        ["batch_norm1d_eval"] = Case(() => new Blocks.BatchNorm1d(3) { Training = false }, new(6, 3), (m, x) => { var y = m.Forward(x, out var t); return (y, (d, g) => m.Backward(t, d, g)); }, BnNames),
        ["batch_norm2d_training"] = Case(() => new BatchNorm2d(3), new(2, 3, 4, 4), (m, x) => { var y = m.Forward(x, out var t); return (y, (d, g) => m.Backward(t, d, g)); }, BnNames),
        ["batch_norm2d_eval"] = Case(() => new BatchNorm2d(3) { Training = false }, new(2, 3, 4, 4), (m, x) => { var y = m.Forward(x, out var t); return (y, (d, g) => m.Backward(t, d, g)); }, BnNames),
        ["mlp"] = Case(() => new Blocks.Mlp(4, 6), new(2, 3, 4), (m, x) => { var y = m.Forward(x, out var t); return (y, (d, g) => m.Backward(t, d, g)); },
            ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]),
        ["attention"] = Case(() => new Attention(8, 2), new(2, 3, 8), (m, x) => { var y = m.Forward(x, out var t); return (y, (d, g) => m.Backward(t, d, g)); },
            ["qkv.weight", "qkv.bias", "proj.weight", "proj.bias"]),
        ["block"] = Case(() => new Block(8, 2, mlpRatio: 1.5), new(2, 3, 8), (m, x) => { var y = m.Forward(x, out var t); return (y, (d, g) => m.Backward(t, d, g)); },
            ["norm1.weight", "norm1.bias", "attn.qkv.weight", "attn.qkv.bias", "attn.proj.weight", "attn.proj.bias", "norm2.weight", "norm2.bias", "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias"]),
        ["patch_embed"] = Case(() => new PatchEmbed(8, 4, 2, 6), new(2, 2, 8, 8), (m, x) => { var y = m.Forward(x, out var t); return (y, (d, g) => m.Backward(t, d, g)); },
            ["proj.weight", "proj.bias"]),
        ["downsample"] = Case(() => new Downsample(2, 4, 2), new(2, 2, 6, 6), (m, x) => { var y = m.Forward(x, out var t); return (y, (d, g) => m.Backward(t, d, g)); },
            ["0.weight", "1.weight", "1.bias"]),
        ["basic_block_identity"] = Case(() => new BasicBlock(3, 3), new(2, 3, 5, 5), (m, x) => { var y = m.Forward(x, out var t); return (y, (d, g) => m.Backward(t, d, g)); },
            ["conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight", "bn2.weight", "bn2.bias"]),
        ["basic_block_downsample"] = Case(() => new BasicBlock(2, 4, stride: 2), new(2, 2, 6, 6), (m, x) => { var y = m.Forward(x, out var t); return (y, (d, g) => m.Backward(t, d, g)); },
            ["conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight", "bn2.weight", "bn2.bias", "downsample.0.weight", "downsample.1.weight", "downsample.1.bias"]),
        ["basic_block_eval"] = Case(() => new BasicBlock(2, 4, stride: 2) { Training = false }, new(2, 2, 6, 6), (m, x) => { var y = m.Forward(x, out var t); return (y, (d, g) => m.Backward(t, d, g)); }),
        ["tiny_vit"] = Case(() => new VisionTransformer(img: 8, patch: 4, inChans: 2, dim: 16, depth: 2, heads: 2, mlpRatio: 2), new(2, 2, 8, 8),
            (m, x) => { var y = m.Forward(x, out var t); return (y, (d, g) => m.Backward(t, d, g)); }),
        ["tiny_resnet_cifar_stem"] = Case(() => new ResNet([1, 2, 1, 1], numClasses: 5, cifarStem: true, width: 4), new(2, 3, 16, 16),
            (m, x) => { var y = m.Forward(x, out var t); return (y, (d, g) => m.Backward(t, d, g)); }),
        ["tiny_resnet_imagenet_stem"] = Case(() => new ResNet([1, 1, 1, 1], numClasses: 3, width: 4), new(2, 3, 32, 32),
            (m, x) => { var y = m.Forward(x, out var t); return (y, (d, g) => m.Backward(t, d, g)); }),
        ["tiny_resnet_eval"] = Case(() => new ResNet([1, 1, 1, 1], numClasses: 3, cifarStem: true, width: 4) { Training = false }, new(2, 3, 16, 16),
            (m, x) => { var y = m.Forward(x, out var t); return (y, (d, g) => m.Backward(t, d, g)); }),
    };

    public static TheoryData<string> Names => new(Cases.Keys);

    public static TheoryData<string> NamedCases => new(Cases.Where(c => c.Value.ExpectedParameters is not null).Select(c => c.Key));

    sealed record Built(Dsl.Graph Graph, Tensor Loss, Tensor Input, IReadOnlyList<NamedValue> Parameters, Dictionary<string, HostTensor> Feeds);

    static Built Build(string name, DType dtype)
    {
        var c = Cases[name];
        var g = new Dsl.Graph(name);
        var model = ModelContext.Build(g, () => c.Create(), out var registry, parameterType: dtype);
        var x = g.Input("x", c.Input, dtype);
        var (output, backward) = c.Run(model, x);
        var cot = g.Input("cot", output.Shape, dtype);
        var loss = Ops.Sum(output * cot);
        g.Output("loss", loss);

        var grads = new Dsl.Gradients();
        var generated = backward(cot, grads);
        var parameters = registry.Parameters;
        var reference = Autodiff.Gradients(loss, [x, .. parameters.Select(p => p.Value)]);
        g.Output("gen_dx", generated ?? Ops.ZerosLike(x));
        g.Output("ad_dx", reference[0]);
        for (int p = 0; p < parameters.Count; p++)
        {
            g.Output($"gen_{parameters[p].Name}", grads[parameters[p].Value]);
            g.Output($"ad_{parameters[p].Name}", reference[1 + p]);
        }

        var feeds = new Dictionary<string, HostTensor>();
        int seed = 100;
        feeds["x"] = TestData.Uniform(x.Shape, seed++, dtype: dtype);
        feeds["cot"] = TestData.Uniform(cot.Shape, seed++, dtype: dtype);
        foreach (var p in parameters) feeds[p.Name] = TestData.Uniform(p.Value.Shape, seed++, -0.7, 0.7, dtype);
        foreach (var b in registry.Buffers) feeds[b.Name] = TestData.Uniform(b.Value.Shape, seed++, 0.5, 1.5, dtype);
        return new Built(g, loss, x, parameters, feeds);
    }

    [Theory]
    [MemberData(nameof(NamedCases))]
    public void Registry_uses_pytorch_names_in_declaration_order(string name)
    {
        var built = Build(name, DType.Float32);
        built.Parameters.Select(p => p.Name).ShouldBe(Cases[name].ExpectedParameters!);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Generated_backward_equals_graph_autodiff_and_torch_autograd_f64(string name)
    {
        var built = Build(name, DType.Float64);
        using var compiled = new TorchBackend().Compile(built.Graph);
        foreach (var p in built.Graph.Persistent) compiled.SetPersistent(p.Name!, built.Feeds[p.Name!]);
        var results = compiled.Run(new Dictionary<string, HostTensor> { ["x"] = built.Feeds["x"], ["cot"] = built.Feeds["cot"] });

        var wrt = new[] { built.Input }.Concat(built.Parameters.Select(p => p.Value)).ToArray();
        var oracle = TorchOracle.Gradients(built.Graph, built.Loss, built.Feeds, HostTensor.Filled(Shape.Scalar, DType.Float64, 1), wrt);
        var names = new[] { "dx" }.Concat(built.Parameters.Select(p => p.Name)).ToArray();
        for (int k = 0; k < names.Length; k++)
        {
            var gen = results["gen_" + names[k]];
            Close.Assert(gen, results["ad_" + names[k]], 1e-10, 1e-12, $"{name}: generated vs graph AD, {names[k]}");
            Close.Assert(gen, oracle[k], 1e-8, 1e-10, $"{name}: generated vs TorchSharp autograd, {names[k]}");
        }
    }

    [Fact]
    public void Batch_norm2d_updates_running_statistics_in_training_mode_only()
    {
        Build("batch_norm2d_training", DType.Float32).Graph.Updates.Select(u => u.Target.Name).ShouldBe(["running_mean", "running_var"]);
        Build("batch_norm2d_eval", DType.Float32).Graph.Updates.ShouldBeEmpty();
        Build("tiny_resnet_eval", DType.Float32).Graph.Updates.ShouldBeEmpty();
        // conv1's bn1, then per block bn1, bn2 (and downsample.1 in stages 2-4): 1 + 4·2 + 3 = 12 BatchNorms.
        Build("tiny_resnet_cifar_stem", DType.Float32).Graph.Updates.Count.ShouldBe(2 * (1 + 5 * 2 + 3));
    }
}
