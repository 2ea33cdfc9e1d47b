namespace Dsl.Models.Blocks;

/// <summary>Nonlinearity between the layers of an <see cref="Mlp"/> (timm's <c>act_layer</c>).</summary>
public enum Activation
{
    /// <summary>Exact (erf) GELU.</summary>
    Gelu,
    /// <summary>ReLU.</summary>
    Relu,
}
