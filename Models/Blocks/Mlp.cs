namespace Dsl.Models.Blocks;

/// <summary>
/// timm's <c>Mlp</c>: <c>fc1</c> (in → hidden), the activation (<c>act</c>, no parameters; exact GELU
/// unless told otherwise), <c>fc2</c> (hidden → out). The transformer block's MLP (out = in) and the
/// <c>train-mlp</c> classifier (out = classes) alike.
/// </summary>
[Model]
public partial class Mlp
{
    [Module] readonly Linear fc1, fc2;
    readonly bool relu;

    /// <summary>An MLP from <paramref name="inFeatures"/> through <paramref name="hidden"/> to <paramref name="outFeatures"/> (default: <paramref name="inFeatures"/>).</summary>
    public Mlp(int inFeatures, int hidden, int? outFeatures = null, Activation activation = Activation.Gelu)
    {
        if (inFeatures <= 0 || hidden <= 0 || outFeatures <= 0)
            throw new ArgumentOutOfRangeException(nameof(hidden), $"An MLP needs positive widths; got in {inFeatures}, hidden {hidden}, out {outFeatures}.");
        fc1 = new Linear(inFeatures, hidden);
        fc2 = new Linear(hidden, outFeatures ?? inFeatures);
        relu = activation == Activation.Relu;
    }

    /// <summary>[..., in] → [..., out].</summary>
    [Forward]
    public Tensor Forward(Tensor x)
    {
        var h = fc1.Forward(x);
        if (relu) h = Ops.Relu(h);
        else h = Ops.Gelu(h);
        return fc2.Forward(h);
    }
}
