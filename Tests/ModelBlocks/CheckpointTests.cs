using Dsl.Models.Vision;

namespace Dsl.Tests.ModelBlocks;

/// <summary>
/// Full-size ResNet-18/34 and ViT-B/16 (graphs only declare symbolic tensors; nothing runs):
/// parameter counts against the published figures, and registry names against torchvision's /
/// timm's state_dict keys.
/// </summary>
public class CheckpointTests
{
    static (T Model, Registry Registry, Dsl.Graph Graph) Declare<T>(Func<T> create) where T : IModel
    {
        var g = new Dsl.Graph("declare");
        var model = ModelContext.Build(g, create, out var registry);
        return (model, registry, g);
    }

    static long Count(IEnumerable<NamedValue> values) => values.Sum(v => v.Value.Shape.Numel);

    [Fact]
    public void ResNet18_has_torchvisions_11_689_512_parameters() =>
        Count(Declare(() => ResNet.ResNet18()).Registry.Parameters).ShouldBe(11_689_512);

    [Fact]
    public void ResNet34_has_torchvisions_21_797_672_parameters() =>
        Count(Declare(() => ResNet.ResNet34()).Registry.Parameters).ShouldBe(21_797_672);

    /// <summary>
    /// timm's vit_base_patch16_224 without its 1000-class head (768·1000 + 1000 = 769,000) has
    /// 86,567,656 − 769,000 = 85,798,656 values in parameters, pos_embed (197·768 = 151,296)
    /// included. MAE's pos_embed is frozen (our buffer), so the trainable count is 85,647,360, and
    /// parameters + buffers is timm's figure.
    /// </summary>
    [Fact]
    public void ViT_B16_encoder_matches_timm_without_head_and_with_pos_embed_frozen()
    {
        var (_, registry, _) = Declare(() => new VisionTransformer());
        // From the architecture: patch_embed 768·3·16·16 + 768, cls_token 768, 12 blocks of
        // 2·(2·768) LayerNorm + (768·2304 + 2304) qkv + (768·768 + 768) proj + (768·3072 + 3072) fc1
        // + (3072·768 + 768) fc2, final norm 2·768.
        long block = 4 * 768 + (768 * 2304 + 2304) + (768 * 768 + 768) + (768 * 3072 + 3072) + (3072 * 768 + 768);
        long trainable = (768 * 3 * 16 * 16 + 768) + 768 + 12 * block + 2 * 768;
        trainable.ShouldBe(85_647_360);
        Count(registry.Parameters).ShouldBe(trainable);
        registry.Buffers.Select(b => (b.Name, b.Value.Shape)).ShouldBe([("pos_embed", new Shape(1, 197, 768))]);
        (Count(registry.Parameters) + Count(registry.Buffers)).ShouldBe(86_567_656 - (768 * 1000 + 1000));
    }

    [Fact]
    public void Full_size_models_declare_forward_graphs_of_the_expected_shapes()
    {
        var (resnet, _, g) = Declare(() => ResNet.ResNet18());
        resnet.Forward(g.Input("x", new Shape(2, 3, 224, 224)), out _).Shape.ShouldBe(new Shape(2, 1000));
        var (vit, _, h) = Declare(() => new VisionTransformer());
        vit.Forward(h.Input("x", new Shape(2, 3, 224, 224)), out _).Shape.ShouldBe(new Shape(2, 197, 768));
    }

    /// <summary>torchvision's resnet state_dict keys (BasicBlock), without num_batches_tracked, in state_dict order.</summary>
    static List<string> TorchvisionResNetKeys(int[] layers)
    {
        static IEnumerable<string> Bn(string p) => [$"{p}.weight", $"{p}.bias", $"{p}.running_mean", $"{p}.running_var"];
        var keys = new List<string> { "conv1.weight" };
        keys.AddRange(Bn("bn1"));
        int inPlanes = 64;
        for (int stage = 0; stage < 4; stage++)
        {
            int planes = 64 << stage;
            for (int b = 0; b < layers[stage]; b++)
            {
                string p = $"layer{stage + 1}.{b}";
                keys.Add($"{p}.conv1.weight");
                keys.AddRange(Bn($"{p}.bn1"));
                keys.Add($"{p}.conv2.weight");
                keys.AddRange(Bn($"{p}.bn2"));
                int stride = stage > 0 && b == 0 ? 2 : 1;
                if (stride != 1 || inPlanes != planes)
                {
                    keys.Add($"{p}.downsample.0.weight");
                    keys.AddRange(Bn($"{p}.downsample.1"));
                }
                inPlanes = planes;
            }
        }
        keys.AddRange(["fc.weight", "fc.bias"]);
        return keys;
    }

    static bool IsRunningStat(string key) => key.EndsWith(".running_mean", StringComparison.Ordinal) || key.EndsWith(".running_var", StringComparison.Ordinal);

    [Theory]
    [InlineData(18)]
    [InlineData(34)]
    public void ResNet_names_are_torchvisions_state_dict_keys(int depth)
    {
        int[] layers = depth == 18 ? [2, 2, 2, 2] : [3, 4, 6, 3];
        var (_, registry, _) = Declare(() => new ResNet(layers));
        var expected = TorchvisionResNetKeys(layers);
        registry.Parameters.Select(p => p.Name).ShouldBe(expected.Where(k => !IsRunningStat(k)));
        registry.Buffers.Select(b => b.Name).ShouldBe(expected.Where(IsRunningStat));
        if (depth == 18) expected.Count.ShouldBe(122 - 20); // torchvision resnet18: 122 keys, 20 of them num_batches_tracked
        var byName = registry.Parameters.Concat(registry.Buffers).ToDictionary(v => v.Name, v => v.Value.Shape);
        byName["conv1.weight"].ShouldBe(new Shape(64, 3, 7, 7));
        byName["layer2.0.downsample.0.weight"].ShouldBe(new Shape(128, 64, 1, 1));
        byName["layer4.1.bn2.running_var"].ShouldBe(new Shape(512));
        byName["fc.weight"].ShouldBe(new Shape(1000, 512));
    }

    [Fact]
    public void ViT_names_are_timms()
    {
        var (_, registry, _) = Declare(() => new VisionTransformer());
        string[] perBlock = ["norm1.weight", "norm1.bias", "attn.qkv.weight", "attn.qkv.bias", "attn.proj.weight", "attn.proj.bias",
            "norm2.weight", "norm2.bias", "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias"];
        string[] expected = ["cls_token", "patch_embed.proj.weight", "patch_embed.proj.bias",
            .. Enumerable.Range(0, 12).SelectMany(i => perBlock.Select(n => $"blocks.{i}.{n}")), "norm.weight", "norm.bias"];
        registry.Parameters.Select(p => p.Name).ShouldBe(expected);
        registry.Buffers.Select(b => b.Name).ShouldBe(["pos_embed"]);
        var byName = registry.Parameters.ToDictionary(v => v.Name, v => v.Value.Shape);
        byName["cls_token"].ShouldBe(new Shape(1, 1, 768));
        byName["patch_embed.proj.weight"].ShouldBe(new Shape(768, 3, 16, 16));
        byName["blocks.11.attn.qkv.weight"].ShouldBe(new Shape(2304, 768));
        byName["blocks.0.mlp.fc1.weight"].ShouldBe(new Shape(3072, 768));
    }

    /// <summary>A literal transcription of MAE's util/pos_embed.py (numpy) to check the table against.</summary>
    static double[,] MaePosEmbed(int embedDim, int gridSize)
    {
        // grid = np.meshgrid(grid_w, grid_h): grid[0][i, j] = j, grid[1][i, j] = i; reshaped row-major.
        int m = gridSize * gridSize;
        var grid0 = new double[m];
        var grid1 = new double[m];
        for (int i = 0; i < gridSize; i++)
            for (int j = 0; j < gridSize; j++) { grid0[i * gridSize + j] = j; grid1[i * gridSize + j] = i; }
        double[,] OneD(int dim, double[] pos)
        {
            var omega = Enumerable.Range(0, dim / 2).Select(k => 1.0 / Math.Pow(10000, k / (dim / 2.0))).ToArray();
            var emb = new double[pos.Length, dim];
            for (int r = 0; r < pos.Length; r++)
                for (int k = 0; k < dim / 2; k++) { emb[r, k] = Math.Sin(pos[r] * omega[k]); emb[r, dim / 2 + k] = Math.Cos(pos[r] * omega[k]); }
            return emb;
        }
        var embH = OneD(embedDim / 2, grid0);
        var embW = OneD(embedDim / 2, grid1);
        var result = new double[m + 1, embedDim]; // cls_token=True: a zero row first
        for (int r = 0; r < m; r++)
            for (int k = 0; k < embedDim / 2; k++) { result[r + 1, k] = embH[r, k]; result[r + 1, embedDim / 2 + k] = embW[r, k]; }
        return result;
    }

    [Theory]
    [InlineData(16, 4)]
    [InlineData(768, 14)]
    public void Pos_embed_is_maes_2d_sincos_table(int dim, int grid)
    {
        var table = VisionTransformer.SinCosPosEmbed(dim, grid, clsToken: true, DType.Float64);
        table.Shape.ShouldBe(new Shape(1, grid * grid + 1, dim));
        var expected = MaePosEmbed(dim, grid);
        var actual = table.ToDoubles();
        for (int r = 0; r < grid * grid + 1; r++)
            for (int k = 0; k < dim; k++)
                actual[r * dim + k].ShouldBe(expected[r, k], 1e-15, $"row {r}, feature {k}");
        // Patch (row 0, column 1): the first half encodes the column.
        actual[2 * dim].ShouldBe(Math.Sin(1.0));
        actual[2 * dim + dim / 2].ShouldBe(0.0);
    }

    [Fact]
    public void Initialize_fills_pos_embed_with_the_table()
    {
        var (vit, registry, _) = Declare(() => new VisionTransformer(img: 8, patch: 4, inChans: 2, dim: 16, depth: 1, heads: 2));
        var values = vit.Initialize(registry, seed: 3);
        values.Keys.Order().ShouldBe(registry.Parameters.Concat(registry.Buffers).Select(v => v.Name).Order());
        values["pos_embed"].ToDoubles().ShouldBe(VisionTransformer.SinCosPosEmbed(16, 2).ToDoubles());
        values["pos_embed"].DType.ShouldBe(DType.Float32);
    }
}
