namespace Dsl.Models.Blocks;

/// <summary>timm's transformer <c>Mlp</c>: <c>fc1</c> (dim → hidden), exact GELU (<c>act</c>, no parameters), <c>fc2</c> (hidden → dim).</summary>
[Model]
public partial class Mlp
{
    [Module] readonly Linear fc1, fc2;

    /// <summary>An MLP on [..., <paramref name="dim"/>] with <paramref name="hidden"/> hidden features.</summary>
    public Mlp(int dim, int hidden)
    {
        fc1 = new Linear(dim, hidden);
        fc2 = new Linear(hidden, dim);
    }

    /// <summary>[..., dim] → [..., dim].</summary>
    [Forward]
    public Tensor Forward(Tensor x) => fc2.Forward(Ops.Gelu(fc1.Forward(x)));
}
