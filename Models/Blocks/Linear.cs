namespace Dsl.Models.Blocks;

/// <summary>
/// y = x·Wᵀ + b, PyTorch's <c>nn.Linear</c>: <c>weight</c> [out, in], <c>bias</c> [out].
/// The weight uses PyTorch's default initialiser (<see cref="Init.TorchDefault"/>); the bias is
/// initialised to zeros, not PyTorch's uniform ±1/√fan_in, because <see cref="Init"/> has no
/// fan-aware bias initialiser.
/// </summary>
/// <remarks>Without a bias the field is null and no <c>bias</c> is registered (PyTorch's <c>bias=None</c>).</remarks>
[Model]
public partial class Linear
{
    [Parameter(Init.TorchDefault)] readonly Tensor weight;
    [Parameter(Init.Zeros)] readonly Tensor? bias;
    readonly bool hasBias;

    /// <summary>A layer from <paramref name="inFeatures"/> to <paramref name="outFeatures"/> features.</summary>
    public Linear(int inFeatures, int outFeatures, bool bias = true)
    {
        weight = Param(outFeatures, inFeatures);
        this.bias = bias ? Param(outFeatures) : null;
        hasBias = bias;
    }

    /// <summary>[..., in] → [..., out].</summary>
    [Forward]
    public Tensor Forward(Tensor x)
    {
        var y = Ops.MatMul(x, weight, transposeB: true);
        if (hasBias) y = y + bias!;
        return y;
    }
}
