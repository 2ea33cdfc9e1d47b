using System.Globalization;
using System.Text.RegularExpressions;
using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Tests.Support;
using WritingModels.Mixer;
using WritingModels.SeResNet;
using WritingModels.UserOp;

namespace Dsl.Tests.Samples;

/// <summary>
/// The samples of docs/writing-models.md: each trains on the embedded Fashion-MNIST with a falling
/// loss; their generated code is snapshot-tested as the guide shows; the generated Backward of the
/// new blocks and the user op's VJP equal TorchSharp autograd.
/// </summary>
public partial class WritingModelsSampleTests
{
    [Theory]
    [InlineData("mixer")]
    [InlineData("se-resnet")]
    [InlineData("swish")]
    [InlineData("task")]
    public void Sample_trains_with_a_falling_loss(string sample)
    {
        var (code, output) = SampleProcess.Run(sample, "--steps", "40");
        code.ShouldBe(0, output);
        var match = LossLine().Match(output);
        match.Success.ShouldBeTrue(output);
        double first = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        double last = double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        last.ShouldBeLessThan(0.85 * first, output);
        if (sample == "se-resnet") output.ShouldContain("eval mode on 256 test images");
        if (sample == "task") output.ShouldContain("accuracy");
    }

    [Fact]
    public void Unknown_sample_prints_usage()
    {
        var (code, output) = SampleProcess.Run("resnet-9000");
        code.ShouldBe(2);
        output.ShouldContain("usage: WritingModels <mixer|se-resnet|swish|task>");
    }

    [GeneratedRegex(@"loss (\S+) -> (\S+) \(mean")]
    private static partial Regex LossLine();

    /// <summary>What EmitCompilerGeneratedFiles wrote for one model class of the sample.</summary>
    static string EmittedSource(string typeName)
    {
        var folder = Path.Combine(SampleProcess.IntermediateFolder, "generated", "Dsl.Generator", "Dsl.Generator.ModelGenerator");
        var file = Path.Combine(folder, typeName + ".g.cs");
        File.Exists(file).ShouldBeTrue($"{file} should exist (EmitCompilerGeneratedFiles is on in WritingModels.csproj)");
        return File.ReadAllText(file);
    }

    [Theory]
    [InlineData("WritingModels.Mixer.MixerBlock")]
    [InlineData("WritingModels.SeResNet.SeResNetBlock")]
    public void Generated_source_of_a_sample_block_matches_its_snapshot(string typeName) =>
        Snapshot.Verify(EmittedSource(typeName), name: typeName.Split('.')[^1], extension: "cs");

    /// <summary>A model's generated Backward against TorchSharp autograd of its forward nodes (float64).</summary>
    static void CheckAgainstAutograd<TModel>(Func<TModel> create, Shape input, Func<TModel, Tensor, (Tensor Y, Func<Tensor, Dsl.Gradients, Tensor?> Backward)> run, double rtol = 1e-8)
        where TModel : IModel
    {
        var graph = new Graph("check");
        var model = ModelContext.Build(graph, create, out var registry, parameterType: DType.Float64);
        var x = graph.Input("x", input, DType.Float64);
        var (y, backward) = run(model, x);
        var cotangent = graph.Input("cot", y.Shape, DType.Float64);
        var grads = new Dsl.Gradients();
        var dx = backward(cotangent, grads)!;
        graph.Output("dx", dx);
        var parameters = registry.Parameters;
        foreach (var p in parameters) graph.Output("d_" + p.Name, grads[p.Value]);

        var feeds = new Dictionary<string, HostTensor> { ["x"] = TestData.Uniform(input, 1, dtype: DType.Float64), ["cot"] = TestData.Uniform(y.Shape, 2, dtype: DType.Float64) };
        int seed = 3;
        foreach (var p in parameters) feeds[p.Name] = TestData.Uniform(p.Value.Shape, seed++, -0.7, 0.7, DType.Float64);
        foreach (var b in registry.Buffers) feeds[b.Name] = TestData.Uniform(b.Value.Shape, seed++, 0.5, 1.5, DType.Float64);

        using var compiled = new TorchBackend().Compile(graph);
        foreach (var v in graph.Persistent) compiled.SetPersistent(v.Name!, feeds[v.Name!]);
        var results = compiled.Run(new Dictionary<string, HostTensor> { ["x"] = feeds["x"], ["cot"] = feeds["cot"] });
        var reference = TorchAutograd.Gradients(graph, y, feeds, feeds["cot"], [x, .. parameters.Select(p => p.Value)]);
        Close.Assert(results["dx"], reference[0], rtol, rtol * 1e-2, "d x");
        for (int i = 0; i < parameters.Count; i++)
            Close.Assert(results["d_" + parameters[i].Name], reference[i + 1], rtol, rtol * 1e-2, "d " + parameters[i].Name);
    }

    [Fact]
    public void Mixer_block_backward_equals_torch_autograd() =>
        CheckAgainstAutograd(() => new MixerBlock(tokens: 4, dim: 6, tokenHidden: 5, channelHidden: 7), new Shape(2, 4, 6),
            (m, x) => { var y = m.Forward(x, out var tape); return (y, (d, g) => m.Backward(tape, d, g)); });

    [Fact]
    public void Se_resnet_block_backward_equals_torch_autograd_in_training_mode() =>
        CheckAgainstAutograd(() => new SeResNetBlock(4), new Shape(3, 4, 5, 5),
            (m, x) => { var y = m.Forward(x, out var tape); return (y, (d, g) => m.Backward(tape, d, g)); }, rtol: 1e-7);

    [Fact]
    public void Swish_vjp_equals_torch_autograd_of_its_kernel()
    {
        UserOps.RegisterKernels();
        CheckAgainstAutograd(() => new SwishMlp(hidden: 5), new Shape(3, 1, 28, 28),
            (m, x) => { var y = m.Forward(x, out var tape); return (y, (d, g) => m.Backward(tape, d, g)); });
    }

    [Fact]
    public void The_generated_whole_model_switch_puts_every_BatchNorm_in_eval_mode()
    {
        var training = new Graph("train");
        ModelContext.Build(training, () => new SeResNetBlock(4)).Forward(training.Input("x", new Shape(2, 4, 3, 3)));
        training.Updates.Count.ShouldBe(4, "two BatchNorms, each updating running_mean and running_var");
        var eval = new Graph("eval");
        ModelContext.Build(eval, () =>
        {
            var block = new SeResNetBlock(4);
            block.SetTraining(false);
            return block;
        }).Forward(eval.Input("x", new Shape(2, 4, 3, 3)));
        eval.Updates.ShouldBeEmpty();
    }
}
