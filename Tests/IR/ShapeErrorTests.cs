namespace Dsl.Tests.IR;


/// <summary>Shape inference rejects bad graphs with messages naming the scope, the op and the shapes.</summary>
public class ShapeErrorTests
{
    static Tensor In(Dsl.Graph g, string name, params int[] dims) => g.Input(name, new Shape(dims));

    public static TheoryData<string, Func<Dsl.Graph, Tensor>, string[]> Cases => new()
    {
        { "add", g => In(g, "a", 2, 3) + In(g, "b", 4), ["add", "f32[2,3]", "f32[4]", "do not broadcast"] },
        { "mul_dtype", g => In(g, "a", 2) * g.Input("b", new Shape(2), DType.Float64), ["mul", "dtypes differ"] },
        { "where", g => Ops.Where(In(g, "c", 2, 3), In(g, "a", 2, 3), In(g, "b", 4)), ["where", "[2,3]", "[4]", "do not broadcast"] },
        { "where_dtype", g => Ops.Where(In(g, "c", 2), In(g, "a", 2), g.Input("b", new Shape(2), DType.Float64)), ["where", "dtypes differ"] },
        { "embedding_weight", g => Ops.Embedding(In(g, "w", 5), g.Input("i", new Shape(3), DType.Int64)), ["embedding", "[num_embeddings, dim]", "f32[5]"] },
        { "embedding_index", g => Ops.Embedding(In(g, "w", 5, 3), In(g, "i", 3)), ["embedding", "int64 indices", "f32[3]"] },
        { "upsample_rank", g => Ops.UpsampleNearest2d(In(g, "x", 3, 4, 4), 2), ["upsample_nearest2d", "[N,C,H,W]", "f32[3,4,4]"] },
        { "upsample_scale", g => Ops.UpsampleNearest2d(In(g, "x", 1, 3, 4, 4), 0), ["upsample_nearest2d", "scale >= 1", "got 0"] },
        { "maximum", g => Ops.Maximum(In(g, "a", 3), In(g, "b", 2)), ["maximum", "[3]", "[2]"] },
        { "relu_grad", g => Ops.ReluGrad(In(g, "dy", 2, 3), In(g, "y", 3)), ["relu_grad", "f32[2,3]", "f32[3]", "same shape"] },
        { "gelu_grad", g => Ops.GeluGrad(In(g, "dy", 2, 3), In(g, "x", 2, 4)), ["gelu_grad", "f32[2,3]", "f32[2,4]", "same shape"] },
        { "softmax_grad", g => Ops.SoftmaxGrad(In(g, "dy", 2, 3), In(g, "y", 3)), ["softmax_grad", "f32[2,3]", "f32[3]", "same shape"] },
        { "attention", g => Ops.Attention(In(g, "q", 2, 3, 8), In(g, "k", 2, 5, 6), In(g, "v", 2, 5, 4)), ["attention", "f32[2,5,6]", "8"] },
        { "attention_grad", g => Ops.AttentionGrad(In(g, "dy", 2, 3, 5), In(g, "q", 2, 3, 8), In(g, "k", 2, 5, 8), In(g, "v", 2, 5, 4), 0.5).Dq, ["attention_grad", "f32[2,3,5]", "f32[2,3,4]"] },
        { "layer_norm_grad", g => Ops.LayerNormGrad(In(g, "dy", 2, 8), In(g, "x", 2, 8), In(g, "w", 8), In(g, "m", 2), In(g, "r", 2, 1)).Dx, ["layer_norm_grad", "f32[2]", "f32[2,1]"] },
        { "batch_norm_grad", g => Ops.BatchNormGrad(In(g, "dy", 2, 3), In(g, "x", 2, 3), In(g, "w", 3), In(g, "m", 3), In(g, "v", 2)).Dx, ["batch_norm_grad", "f32[2]", "f32[3]"] },
        { "silu_int", g => Ops.Silu(g.Input("i", new Shape(2), DType.Int64)), ["silu", "floating-point", "i64[2]"] },
        { "exp_int", g => Ops.Exp(g.Input("i", new Shape(2), DType.Int64)), ["exp", "floating-point", "i64[2]"] },
        { "matmul", g => Ops.MatMul(In(g, "a", 2, 3), In(g, "b", 4, 5)), ["matmul", "f32[2,3]", "f32[4,5]", "contracts 3 with 4"] },
        { "matmul_rank", g => Ops.MatMul(In(g, "a", 3), In(g, "b", 3, 5)), ["matmul", "rank >= 2"] },
        { "matmul_batch", g => Ops.MatMul(In(g, "a", 2, 3, 4), In(g, "b", 3, 4, 5)), ["matmul", "batch dimensions"] },
        { "sum_axis", g => Ops.Sum(In(g, "a", 2, 3), 2), ["axis 2 is out of range", "f32[2,3]"] },
        { "softmax_axis", g => Ops.Softmax(In(g, "a", 2, 3), 5), ["axis 5"] },
        { "logsumexp_axis", g => Ops.LogSumExp(In(g, "a", 2, 3), -3), ["axis -3 is out of range"] },
        { "log_softmax_int", g => Ops.LogSoftmax(g.Input("i", new Shape(2, 3), DType.Int64)), ["log_softmax", "floating-point"] },
        { "min_axis", g => Ops.Min(In(g, "a", 2, 3), 2), ["axis 2 is out of range", "f32[2,3]"] },
        { "argmax_axis", g => Ops.ArgMax(In(g, "a", 2, 3), -3), ["axis -3 is out of range", "f32[2,3]"] },
        { "argmax_int", g => Ops.ArgMax(g.Input("i", new Shape(2, 3), DType.Int64)), ["argmax", "floating-point", "i64[2,3]"] },
        { "mean_axis", g => Ops.Mean(In(g, "a", 2), [1]), ["axis 1 is out of range"] },
        { "batch_norm_rank", g => Ops.BatchNorm(In(g, "x", 4), In(g, "w", 4), In(g, "b", 4)).Output, ["batch_norm", "[N,C]"] },
        { "conv2d_rank", g => Ops.Conv2d(In(g, "x", 3, 8, 8), In(g, "w", 4, 3, 3, 3)), ["conv2d", "[N,C,H,W]"] },
        { "reshape", g => Ops.Reshape(In(g, "a", 2, 3), 4, 2), ["reshape", "6 elements", "[4,2]"] },
        { "reshape_infer", g => Ops.Reshape(In(g, "a", 2, 3), 4, -1), ["reshape", "cannot infer"] },
        { "expand", g => Ops.Expand(In(g, "a", 2, 3), new Shape(4, 3)), ["expand", "f32[2,3]", "[4,3]"] },
        { "permute", g => Ops.Permute(In(g, "a", 2, 3), 0, 0), ["permute", "not a permutation"] },
        { "slice", g => Ops.Slice(In(g, "a", 2, 3), 1, 2, 1), ["slice", "outside axis 1"] },
        { "concat", g => Ops.Concat(0, In(g, "a", 2, 3), In(g, "b", 2, 4)), ["concat", "f32[2,4]", "outside axis 0"] },
        { "layer_norm", g => Ops.LayerNorm(In(g, "x", 2, 8), In(g, "w", 4), In(g, "b", 4)), ["layer_norm", "f32[4]", "f32[2,8]"] },
        { "batch_norm", g => Ops.BatchNorm(In(g, "x", 2, 3, 4, 4), In(g, "w", 4), In(g, "b", 4)).Output, ["batch_norm", "f32[3]"] },
        { "conv2d_channels", g => Ops.Conv2d(In(g, "x", 1, 3, 8, 8), In(g, "w", 4, 2, 3, 3)), ["conv2d", "input channels differ", "f32[1,3,8,8]", "f32[4,2,3,3]"] },
        { "conv2d_groups_divide", g => Ops.Conv2d(In(g, "x", 1, 6, 8, 8), In(g, "w", 5, 2, 3, 3), groups: 3), ["conv2d", "groups=3", "output channels (5)", "divisible by 3", "f32[5,2,3,3]"] },
        { "conv2d_groups_in", g => Ops.Conv2d(In(g, "x", 1, 4, 8, 8), In(g, "w", 4, 2, 3, 3), groups: 3), ["conv2d", "groups=3", "input channels (4)", "divisible by 3"] },
        { "conv2d_groups_weight", g => Ops.Conv2d(In(g, "x", 1, 4, 8, 8), In(g, "w", 4, 4, 3, 3), groups: 2), ["conv2d", "input channels differ", "4/2 = 2", "got 4"] },
        { "conv2d_groups_zero", g => Ops.Conv2d(In(g, "x", 1, 4, 8, 8), In(g, "w", 4, 4, 3, 3), groups: 0), ["conv2d", "groups >= 1", "got 0"] },
        { "conv2d_weight_grad_groups", g => Ops.Conv2dWeightGrad(In(g, "x", 1, 4, 8, 8), In(g, "dy", 1, 4, 6, 6), new Shape(4, 4, 3, 3), 1, 0, groups: 2), ["conv2d_weight_grad", "groups=2", "do not match"] },
        { "upsample_bilinear_rank", g => Ops.UpsampleBilinear2d(In(g, "x", 3, 4, 4), 2), ["upsample_bilinear2d", "[N,C,H,W]", "f32[3,4,4]"] },
        { "upsample_bilinear_scale", g => Ops.UpsampleBilinear2d(In(g, "x", 1, 3, 4, 4), 0), ["upsample_bilinear2d", "scale >= 1", "got 0"] },
        { "conv2d_kernel", g => Ops.Conv2d(In(g, "x", 1, 1, 2, 2), In(g, "w", 1, 1, 5, 5)), ["conv2d", "larger than the padded input"] },
        { "conv2d_input_grad", g => Ops.Conv2dInputGrad(In(g, "dy", 1, 4, 3, 3), In(g, "w", 4, 3, 3, 3), new Shape(1, 3, 8, 8), 1, 0), ["conv2d_input_grad", "do not match"] },
        { "conv2d_weight_grad", g => Ops.Conv2dWeightGrad(In(g, "x", 1, 3, 8, 8), In(g, "dy", 1, 4, 3, 3), new Shape(4, 3, 3, 3), 1, 0), ["conv2d_weight_grad", "do not match"] },
        { "max_pool2d", g => Ops.MaxPool2d(In(g, "x", 1, 1, 2, 2), 3), ["max_pool2d", "larger than the padded input"] },
        { "avg_pool2d_rank", g => Ops.AvgPool2d(In(g, "x", 4, 4), 2), ["avg_pool2d", "[N,C,H,W]"] },
        { "avg_pool2d_grad", g => Ops.AvgPool2dGrad(In(g, "dy", 1, 1, 3, 3), new Shape(1, 1, 4, 4), 2, 2, 0), ["avg_pool2d_grad", "not the avg_pool2d output shape"] },
        { "global_avg_pool2d", g => Ops.GlobalAvgPool2d(In(g, "x", 2, 3)), ["global_avg_pool2d", "[N,C,H,W]"] },
        { "gather_index", g => Ops.Gather(In(g, "t", 5, 3), In(g, "i", 4)), ["gather", "1-D i64"] },
        { "index_add", g => Ops.IndexAdd(In(g, "s", 4, 2), g.Input("i", new Shape(4), DType.Int64), 0, new Shape(5, 3)), ["index_add", "does not fit"] },
        { "take_along_axis", g => Ops.TakeAlongAxis(In(g, "x", 3, 5), g.Input("i", new Shape(2, 4), DType.Int64), 1), ["take_along_axis", "every axis but 1"] },
        { "scatter_add", g => Ops.ScatterAdd(In(g, "s", 3, 4), g.Input("i", new Shape(3, 3), DType.Int64), 1, new Shape(3, 5)), ["scatter_add", "shaped like the source"] },
        { "argsort_axis", g => Ops.Argsort(In(g, "x", 3), 1), ["axis 1 is out of range"] },
        { "top_k_beyond_the_axis", g => Ops.TopK(In(g, "x", 2, 5), 6).Values, ["top_k", "k 6", "f32[2,5]"] },
        { "random_seed", g => Ops.RandomUniform(In(g, "seed", 2), new Shape(3)), ["random_uniform", "i64[2]"] },
        { "slice_grad", g => Ops.SliceGrad(In(g, "s", 2, 3), new Shape(3, 7), 1, 0), ["slice_grad", "not a slice"] },
        { "cross_entropy", g => Ops.CrossEntropy(In(g, "logits", 4, 3), In(g, "labels", 4)), ["cross_entropy", "i64 labels"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_shapes_throw_a_message_naming_op_and_shapes(string name, Func<Dsl.Graph, Tensor> build, string[] fragments)
    {
        var g = new Dsl.Graph("m");
        var e = Should.Throw<ShapeException>(() => build(g));
        foreach (var f in fragments) e.Message.ShouldContain(f, Case.Sensitive, $"{name}: {e.Message}");
    }

    [Fact]
    public void Error_names_the_model_scope()
    {
        var g = new Dsl.Graph("mlp");
        var x = In(g, "x", 8, 784);
        var w = g.Parameter("fc1.weight", new Shape(128, 100));
        using (g.Scope("fc1"))
        {
            var e = Should.Throw<ShapeException>(() => Ops.MatMul(x, w, transposeB: true));
            e.Message.ShouldBe("Shape error in fc1, op matmul{TransposeA=false, TransposeB=true}(f32[8,784], f32[128,100]): inner dimensions differ: f32[8,784] · f32[128,100]ᵀ contracts 784 with 100");
        }
    }

    [Fact]
    public void Tensors_of_two_graphs_cannot_be_mixed()
    {
        var a = In(new Dsl.Graph("a"), "x", 2);
        var b = In(new Dsl.Graph("b"), "y", 2);
        Should.Throw<ArgumentException>(() => a + b).Message.ShouldContain("cannot be mixed");
    }

    [Fact]
    public void Update_requires_matching_type()
    {
        var g = new Dsl.Graph("g");
        var w = g.Parameter("w", new Shape(3));
        Should.Throw<ShapeException>(() => g.Update(w, In(g, "x", 4))).Message.ShouldContain("f32[4]");
    }
}
