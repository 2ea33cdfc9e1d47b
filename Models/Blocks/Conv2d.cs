namespace Dsl.Models.Blocks;

/// <summary>
/// 2-D convolution, PyTorch's <c>nn.Conv2d</c> with square kernels: <c>weight</c>
/// [out, in / groups, k, k], optional <c>bias</c> [out]; input [N, in, H, W]. <c>groups</c> &gt; 1 is a
/// grouped convolution, <c>groups</c> = in a depthwise one. The weight uses PyTorch's
/// default initialiser (<see cref="Init.TorchDefault"/>); the bias is initialised to zeros (there
/// is no fan-aware bias initialiser in <see cref="Init"/>).
/// </summary>
/// <remarks>Without a bias the field is null and no <c>bias</c> is registered (PyTorch's <c>bias=None</c>).</remarks>
[Model]
public partial class Conv2d
{
    [Parameter(Init.TorchDefault)] readonly Tensor weight;
    [Parameter(Init.Zeros)] readonly Tensor? bias;
    readonly bool hasBias;
    readonly int stride, padding, groups;

    /// <summary>A convolution with a <paramref name="kernel"/>×<paramref name="kernel"/> kernel, its channels split into <paramref name="groups"/> groups.</summary>
    /// <exception cref="ArgumentException">When <paramref name="groups"/> does not divide both channel counts.</exception>
    public Conv2d(int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0, bool bias = true, int groups = 1)
    {
        if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv2d({inChannels}, {outChannels}) with groups={groups}: groups must be >= 1 and divide both the input and the output channels (depthwise: groups = inChannels).", nameof(groups));
        weight = Param(outChannels, inChannels / groups, kernel, kernel);
        this.bias = bias ? Param(outChannels) : null;
        hasBias = bias;
        this.stride = stride;
        this.padding = padding;
        this.groups = groups;
    }

    /// <summary>[N, in, H, W] → [N, out, H', W'].</summary>
    [Forward]
    public Tensor Forward(Tensor x)
    {
        var y = Ops.Conv2d(x, weight, stride, padding, groups);
        if (hasBias) y = y + Ops.Reshape(bias!, 1, bias!.Shape[0], 1, 1);
        return y;
    }
}
