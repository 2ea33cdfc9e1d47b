namespace Dsl.Models.Blocks;

/// <summary>Layer normalisation over the last axis, PyTorch's <c>nn.LayerNorm</c>: <c>weight</c> (ones) and <c>bias</c> (zeros) of [dim].</summary>
[Model]
public partial class LayerNorm
{
    [Parameter(Init.Ones)] readonly Tensor weight;
    [Parameter(Init.Zeros)] readonly Tensor bias;
    readonly double eps;

    /// <summary>Normalises the last axis of size <paramref name="dim"/>.</summary>
    public LayerNorm(int dim, double eps = 1e-5)
    {
        weight = Param(dim);
        bias = Param(dim);
        this.eps = eps;
    }

    /// <summary>[..., dim] → [..., dim].</summary>
    [Forward]
    public Tensor Forward(Tensor x) => Ops.LayerNorm(x, weight, bias, eps);
}
