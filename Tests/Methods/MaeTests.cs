using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Models.Methods;
using Dsl.Models.Vision;
using Dsl.Tests.Support;

namespace Dsl.Tests.Methods;

/// <summary>
/// MAE as models_mae.py: parameter counts of the paper's models, reference names, masking by
/// argsort of noise, the masked-patch loss, and the generated Backward against graph autodiff and
/// TorchSharp autograd.
/// </summary>
public class MaeTests
{
    static (MaskedAutoencoder Model, Registry Registry, Dsl.Graph Graph) Declare(MaeConfig config, DType dtype = DType.Float32)
    {
        var g = new Dsl.Graph("mae");
        var model = ModelContext.Build(g, () => new MaskedAutoencoder(config), out var registry, parameterType: dtype);
        return (model, registry, g);
    }

    static long Count(IEnumerable<NamedValue> values) => values.Sum(v => v.Value.Shape.Numel);

    static bool IsEncoder(string name) => !name.StartsWith("decoder", StringComparison.Ordinal) && name != "mask_token";

    public static TheoryData<string, long> PaperModels => new()
    {
        // timm's vit_{base_patch16,large_patch16,huge_patch14}_224 totals (with the 1000-class head):
        // 86.57M, 304.33M and 632.05M, the encoders of the MAE paper's ViT-B/L/H.
        { "B/16", 86_567_656 },
        { "L/16", 304_326_632 },
        { "H/14", 632_045_800 },
    };

    static MaeConfig Paper(string name) => name switch { "B/16" => MaeConfig.VitBase16, "L/16" => MaeConfig.VitLarge16, _ => MaeConfig.VitHuge14 };

    [Theory]
    [MemberData(nameof(PaperModels))]
    public void Encoders_of_the_paper_models_have_the_published_parameter_counts(string name, long timmTotalWithHead)
    {
        var config = Paper(name);
        var (_, registry, _) = Declare(config);
        var encoder = registry.Parameters.Concat(registry.Buffers).Where(v => IsEncoder(v.Name));
        long head = config.EncoderDim * 1000L + 1000;
        (Count(encoder) + head).ShouldBe(timmTotalWithHead);
    }

    [Fact]
    public void Vit_base_pretraining_model_matches_models_mae_and_its_encoder_names_are_timms()
    {
        var (_, registry, _) = Declare(MaeConfig.VitBase16);
        // sum(p.numel() for p in mae_vit_base_patch16_dec512d8b().parameters()), fixed pos embeds included.
        (Count(registry.Parameters) + Count(registry.Buffers)).ShouldBe(111_907_840);
        var g = new Dsl.Graph("vit");
        ModelContext.Build(g, () => new VisionTransformer(), out var vit);
        registry.Parameters.Concat(registry.Buffers).Select(v => v.Name).Where(IsEncoder).Order()
            .ShouldBe(vit.Parameters.Concat(vit.Buffers).Select(v => v.Name).Order());
        registry.Parameters.Select(p => p.Name).Where(n => !IsEncoder(n)).Take(5)
            .ShouldBe(["decoder_embed.weight", "decoder_embed.bias", "mask_token", "decoder_blocks.0.norm1.weight", "decoder_blocks.0.norm1.bias"]);
        registry.Buffers.Select(b => b.Name).ShouldBe(["pos_embed", "decoder_pos_embed"]);
    }

    static readonly MaeConfig Tiny = new(8, 2, 2, 8, 2, 2, 4, 1, 2, MlpRatio: 2, MaskRatio: 0.75);

    [Fact]
    public void Masks_the_patches_with_the_largest_noise_and_averages_the_loss_over_them()
    {
        var (model, registry, g) = Declare(Tiny with { NormPixLoss = true });
        var images = g.Input("images", new Shape(3, 2, 8, 8));
        var noise = g.Input("noise", new Shape(3, 16));
        var (loss, pred, mask) = model.Forward(images, noise, out _);
        g.Output("loss", loss);
        g.Output("pred", pred);
        g.Output("mask", mask);
        using var compiled = new TorchBackend().Compile(g);
        foreach (var (k, v) in model.Initialize(registry, 3)) compiled.SetPersistent(k, v);
        var x = TestData.Uniform(images.Shape, 1, dtype: DType.Float32);
        var n = TestData.Uniform(noise.Shape, 2, dtype: DType.Float32);
        var o = compiled.Run(new Dictionary<string, HostTensor> { ["images"] = x, ["noise"] = n });

        model.Keep.ShouldBe(4);   // int(16 · (1 − 0.75))
        var m = o["mask"].ToDoubles();
        var p = o["pred"].ToDoubles();
        double expected = 0;
        for (int b = 0; b < 3; b++)
        {
            var rowNoise = Enumerable.Range(0, 16).Select(i => n[b * 16 + i]).ToArray();
            var kept = rowNoise.Select((v, i) => (v, i)).OrderBy(t => t.v).Take(4).Select(t => t.i).ToHashSet();
            for (int patch = 0; patch < 16; patch++)
            {
                m[b * 16 + patch].ShouldBe(kept.Contains(patch) ? 0 : 1);
                // models_mae.patchify: patch (h, w) holds pixels [c, 2h + p, 2w + q] at feature (p·2 + q)·C + c.
                int ph = patch / 4, pw = patch % 4;
                var target = new double[8];
                for (int pp = 0; pp < 2; pp++)
                    for (int q = 0; q < 2; q++)
                        for (int c = 0; c < 2; c++)
                            target[(pp * 2 + q) * 2 + c] = x[((b * 2 + c) * 8 + 2 * ph + pp) * 8 + 2 * pw + q];
                double mean = target.Average();
                double variance = target.Sum(t => (t - mean) * (t - mean)) / 7;   // torch.var is unbiased
                double mse = target.Select((t, f) => Math.Pow(p[(b * 16 + patch) * 8 + f] - (t - mean) / Math.Sqrt(variance + 1e-6), 2)).Average();
                if (!kept.Contains(patch)) expected += mse / (3 * 12);
            }
        }
        o["loss"].ToScalar().ShouldBe(expected, 1e-5);
    }

    [Fact]
    public void Generated_backward_equals_graph_autodiff_and_torch_autograd_f64()
    {
        var (model, registry, g) = Declare(Tiny, DType.Float64);
        var images = g.Input("images", new Shape(2, 2, 8, 8), DType.Float64);
        var noise = g.Input("noise", new Shape(2, 16), DType.Float64);
        var (loss, _, _) = model.Forward(images, noise, out var tape);
        var grads = new Dsl.Gradients();
        model.Backward(tape, Ops.OnesLike(loss), null, null, grads);
        var parameters = registry.Parameters.Select(p => p.Value).ToArray();
        var reference = Autodiff.Gradients(loss, parameters);
        for (int i = 0; i < parameters.Length; i++)
        {
            g.Output($"gen{i}", grads[parameters[i]]);
            g.Output($"ad{i}", reference[i]);
        }
        var feeds = new Dictionary<string, HostTensor>
        {
            ["images"] = TestData.Uniform(images.Shape, 5, dtype: DType.Float64),
            ["noise"] = TestData.Uniform(noise.Shape, 6, dtype: DType.Float64),
        };
        int seed = 10;
        foreach (var p in registry.Parameters) feeds[p.Name] = TestData.Uniform(p.Value.Shape, seed++, -0.7, 0.7, DType.Float64);
        foreach (var b in registry.Buffers) feeds[b.Name] = TestData.Uniform(b.Value.Shape, seed++, -1, 1, DType.Float64);
        using var compiled = new TorchBackend().Compile(g);
        foreach (var v in g.Persistent) compiled.SetPersistent(v.Name!, feeds[v.Name!]);
        var o = compiled.Run(feeds.Where(f => f.Key is "images" or "noise").ToDictionary());
        var oracle = TorchOracle.Gradients(g, loss, feeds, HostTensor.Filled(Shape.Scalar, DType.Float64, 1), parameters);
        for (int i = 0; i < parameters.Length; i++)
        {
            Close.Assert(o[$"gen{i}"], o[$"ad{i}"], 1e-10, 1e-12, $"generated vs graph AD, {parameters[i].Name}");
            Close.Assert(o[$"gen{i}"], oracle[i], 1e-8, 1e-10, $"generated vs TorchSharp autograd, {parameters[i].Name}");
        }
        // mask_token gets a gradient only through masked positions, cls_token through the encoder: both non-zero.
        o[$"gen{Array.FindIndex(parameters, p => p.Name == "mask_token")}"].ToDoubles().ShouldContain(v => v != 0);
    }
}
