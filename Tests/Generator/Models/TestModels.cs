namespace Dsl.Tests.Generator.Models;

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
