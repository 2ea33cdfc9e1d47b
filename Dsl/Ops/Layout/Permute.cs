using Dsl.Operators;

namespace Dsl.Operators
{
    /// <summary>Reorders axes: output axis i is input axis Perm[i].</summary>
    public sealed record PermuteOp(Ints Perm) : Op
    {
        /// <inheritdoc/>
        public override string Name => "permute";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 1);
            var s = inputs[0].Shape;
            Require(Perm.Count == s.Rank && Perm.OrderBy(p => p).SequenceEqual(Enumerable.Range(0, s.Rank)),
                $"{Perm} is not a permutation of the {s.Rank} axes of {inputs[0]}");
            return [new TensorType(new Shape(Perm.Select(p => s[p]).ToArray()), inputs[0].DType)];
        }
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c)
        {
            var inverse = new int[Perm.Count];
            for (int i = 0; i < Perm.Count; i++) inverse[Perm[i]] = i;
            return [Ops.Permute(c.Dy(), inverse)];
        }
    }
}

namespace Dsl
{
    public static partial class Ops
    {
        /// <summary>Reorders axes (negative axes count from the end).</summary>
        [Differentiable]
        public static Tensor Permute(Tensor x, params int[] perm)
        {
            var p = perm.Select(a => a < 0 ? a + x.Rank : a).ToArray();
            return p.SequenceEqual(Enumerable.Range(0, x.Rank)) ? x : Apply(new PermuteOp(new Ints(p)), x);
        }

        /// <summary>Swaps two axes.</summary>
        [Differentiable]
        public static Tensor Transpose(Tensor x, int axis0 = -2, int axis1 = -1)
        {
            var p = Enumerable.Range(0, x.Rank).ToArray();
            int a = NormAxis(x, axis0), b = NormAxis(x, axis1);
            (p[a], p[b]) = (p[b], p[a]);
            return Permute(x, p);
        }
    }
}
