using Dsl.Operators;
namespace Dsl.Tests.Generator.Models;

// Models used by the generator's snapshot and gradient tests. Each exercises one feature of the
// [Forward] subset; GeneratedModelTests checks every generated Backward against graph-level AD and
// TorchSharp autograd.

/// <summary>y = x·Wᵀ + b, PyTorch's nn.Linear.</summary>
[Model]
public partial class Linear
{
    [Parameter(Init.XavierUniform)] readonly Tensor weight;
    [Parameter(Init.Zeros)] readonly Tensor bias;

    public Linear(int inFeatures, int outFeatures)
    {
        weight = Param(outFeatures, inFeatures);
        bias = Param(outFeatures);
    }

    [Forward]
    public Tensor Forward(Tensor x) => Ops.MatMul(x, weight, transposeB: true) + bias;
}

/// <summary>Layer normalisation over the last axis, PyTorch's nn.LayerNorm.</summary>
[Model]
public partial class LayerNorm
{
    [Parameter(Init.Ones)] readonly Tensor weight;
    [Parameter(Init.Zeros)] readonly Tensor bias;
    readonly double eps;

    public LayerNorm(int features, double eps = 1e-5)
    {
        weight = Param(features);
        bias = Param(features);
        this.eps = eps;
    }

    [Forward]
    public Tensor Forward(Tensor x) => Ops.LayerNorm(x, weight, bias, eps);
}

/// <summary>Two linear layers with GELU between them.</summary>
[Model]
public partial class Mlp
{
    [Module] readonly Linear fc1, fc2;

    public Mlp(int dim, int hidden)
    {
        fc1 = new Linear(dim, hidden);
        fc2 = new Linear(hidden, dim);
    }

    [Forward]
    public Tensor Forward(Tensor x) => fc2.Forward(Ops.Gelu(fc1.Forward(x)));
}

/// <summary>Pre-norm transformer block: multi-head self-attention and an MLP, each with a residual.</summary>
[Model]
public partial class AttentionBlock
{
    [Module] readonly LayerNorm norm1, norm2;
    [Module] readonly Linear qkv, proj;
    [Module] readonly Mlp mlp;
    readonly int heads;

    public AttentionBlock(int dim, int heads, int hidden)
    {
        norm1 = new LayerNorm(dim);
        qkv = new Linear(dim, 3 * dim);
        proj = new Linear(dim, dim);
        norm2 = new LayerNorm(dim);
        mlp = new Mlp(dim, hidden);
        this.heads = heads;
    }

    [Forward]
    public Tensor Forward(Tensor x)
    {
        int b = x.Shape[0], n = x.Shape[1], c = x.Shape[2];
        int hd = c / heads;
        var h = qkv.Forward(norm1.Forward(x));
        h = Ops.Permute(Ops.Reshape(h, b, n, 3, heads, hd), 2, 0, 3, 1, 4);
        var q = Ops.Reshape(Ops.Slice(h, 0, 0, 1), b, heads, n, hd);
        var k = Ops.Reshape(Ops.Slice(h, 0, 1, 2), b, heads, n, hd);
        var v = Ops.Reshape(Ops.Slice(h, 0, 2, 3), b, heads, n, hd);
        var attn = Ops.Softmax(Ops.MatMul(q, k, transposeB: true) * (1.0 / Math.Sqrt(hd)), -1);
        var o = Ops.Reshape(Ops.Permute(Ops.MatMul(attn, v), 0, 2, 1, 3), b, n, c);
        x = x + proj.Forward(o);
        x = x + mlp.Forward(norm2.Forward(x));
        return x;
    }
}

/// <summary>A stack of blocks looped over (foreach on a list, for on an array), with a config branch.</summary>
[Model]
public partial class BlockStack
{
    [Module] readonly List<Mlp> blocks;
    [Module] readonly LayerNorm[] norms;
    readonly bool residual;

    public BlockStack(int dim, int depth, bool residual)
    {
        blocks = Enumerable.Range(0, depth).Select(_ => new Mlp(dim, 2 * dim)).ToList();
        norms = Enumerable.Range(0, depth).Select(_ => new LayerNorm(dim)).ToArray();
        this.residual = residual;
    }

    [Forward]
    public Tensor Forward(Tensor x)
    {
        foreach (var block in blocks)
        {
            if (residual) x = x + block.Forward(x);
            else x = block.Forward(x);
        }
        for (int i = 0; i < norms.Length; i++)
            x = norms[i].Forward(x) * 0.5 + x;
        return x;
    }
}

/// <summary>One encoder applied to two views (SimCLR's weight sharing): gradients accumulate.</summary>
[Model]
public partial class SharedEncoder
{
    [Module] readonly Linear encoder;
    [Parameter(Init.Normal)] readonly Tensor scale;

    public SharedEncoder(int dim)
    {
        encoder = new Linear(dim, dim);
        scale = Param(dim);
    }

    [Forward]
    public Tensor Forward(Tensor a, Tensor b)
    {
        var za = Ops.Tanh(encoder.Forward(a));
        var zb = Ops.Tanh(encoder.Forward(b));
        return za * zb * scale;
    }
}

/// <summary>Returns two outputs; a caller deconstructs them.</summary>
[Model]
public partial class TwoHeads
{
    [Module] readonly Linear left, right;

    public TwoHeads(int dim)
    {
        left = new Linear(dim, 2);
        right = new Linear(dim, 3);
    }

    [Forward]
    public (Tensor, Tensor) Forward(Tensor x) => (left.Forward(x), Ops.Sigmoid(right.Forward(x)));
}

/// <summary>Uses a multi-output submodule, a user-defined op and a private differentiable helper.</summary>
[Model]
public partial class UsesCustomOp
{
    [Module] readonly TwoHeads heads;

    public UsesCustomOp(int dim) => heads = new TwoHeads(dim);

    [Forward]
    public Tensor Forward(Tensor x)
    {
        var (a, b) = heads.Forward(x);
        var s = Ops.Sum(UserOps.Cube(a), -1, keepDims: true) + Ops.Sum(b, -1, keepDims: true);
        return Smooth(s, x);
    }

    [Differentiable]
    Tensor Smooth(Tensor s, Tensor x) => Ops.Log(Ops.Exp(s) + 1.0) * Ops.Mean(x, -1, keepDims: true);
}

/// <summary>BatchNorm over [N,C]: batch statistics and running-stat buffer updates in training, running stats in eval.</summary>
[Model]
public partial class BatchNorm1d
{
    [Parameter(Init.Ones)] readonly Tensor weight;
    [Parameter(Init.Zeros)] readonly Tensor bias;
    [Buffer(Init.Zeros)] readonly Tensor runningMean;
    [Buffer(Init.Ones)] readonly Tensor runningVar;

    public BatchNorm1d(int features)
    {
        weight = Param(features);
        bias = Param(features);
        runningMean = BufferOf(features);
        runningVar = BufferOf(features);
    }

    public bool Training { get; set; } = true;

    [Forward]
    public Tensor Forward(Tensor x)
    {
        Tensor y;
        if (Training)
        {
            var (normalized, mean, variance) = Ops.BatchNorm(x, weight, bias);
            var newMean = Ops.RunningMeanUpdate(runningMean, mean);
            var newVar = Ops.RunningVarUpdate(runningVar, variance, x.Shape.Numel / x.Shape[1]);
            UpdateBuffer(runningMean, newMean);
            UpdateBuffer(runningVar, newVar);
            y = normalized;
        }
        else
        {
            y = Ops.BatchNormEval(x, weight, bias, runningMean, runningVar);
        }
        return Ops.Relu(y);
    }
}

/// <summary>A user-defined primitive: x³ with its own VJP rule, declared outside Dsl.</summary>
public sealed record CubeOp : Op
{
    /// <inheritdoc/>
    public override string Name => "cube";
    /// <inheritdoc/>
    public override TensorType[] InferTypes(TensorType[] inputs) => [inputs[0]];
    /// <inheritdoc/>
    public override Tensor?[] Vjp(VjpContext c) => [c.Dy() * Ops.PowScalar(c.X(), 2) * 3.0];
}

/// <summary>The user's op functions.</summary>
public static class UserOps
{
    /// <summary>x³ through <see cref="CubeOp"/>.</summary>
    [Differentiable]
    public static Tensor Cube(Tensor x) => x.Graph.Apply(new CubeOp(), x)[0];
}

/// <summary>
/// Gradients the reverse sweep must not assume null: the input is read in every iteration (its gradient
/// sums over iterations) and h is carried across them; one result no gradient reaches.
/// </summary>
[Model]
public partial class RepeatedRead
{
    [Module] readonly Linear[] layers;

    public RepeatedRead(int dim, int depth) => layers = Enumerable.Range(0, depth).Select(_ => new Linear(dim, dim)).ToArray();

    [Forward]
    public Tensor Forward(Tensor x)
    {
        var h = x;
        var unused = Ops.Relu(x);
        foreach (var layer in layers)
            h = h + layer.Forward(x) * h;
        return h + x;
    }
}
