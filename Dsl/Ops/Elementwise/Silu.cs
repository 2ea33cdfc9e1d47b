using Dsl.Operators;

namespace Dsl.Operators
{
    /// <summary>SiLU (Swish with β = 1): x·σ(x), as <c>torch.nn.functional.silu</c>.</summary>
    public sealed record SiluOp : UnaryOp
    {
        /// <inheritdoc/>
        public override string Name => "silu";
        // d/dx x·σ(x) = σ(x)·(1 + x·(1 - σ(x))).
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c)
        {
            var x = c.X();
            var s = Ops.Sigmoid(x);
            return [c.Dy() * s * (1.0 + x * (1.0 - s))];
        }
    }
}

namespace Dsl
{
    public static partial class Ops
    {
        /// <summary>SiLU, also called Swish: x·sigmoid(x).</summary>
        [Differentiable]
        public static Tensor Silu(Tensor x) => Apply(new SiluOp(), x);
    }
}
