namespace Dsl;

public static partial class Ops
{
    /// <summary>
    /// Embedding lookup (torch.nn.functional.embedding): row <c>indices[...]</c> of
    /// <paramref name="weight"/> [V, D] for each int64 index, giving [..indices, D]. A composite of
    /// <see cref="Gather"/> over the flattened indices, so every backend lowers it and its gradient
    /// (rows summed back by <see cref="IndexAdd"/>) with no op of its own.
    /// </summary>
    [Differentiable]
    public static Tensor Embedding(Tensor weight, Tensor indices)
    {
        if (weight.Rank != 2)
            throw new ShapeException($"Shape error in {Where(weight)}: embedding needs a weight [num_embeddings, dim], got {weight.Type}");
        if (indices.DType != DType.Int64)
            throw new ShapeException($"Shape error in {Where(weight)}: embedding needs int64 indices, got {indices.Type} (cast with Ops.Cast)");
        var rows = Gather(weight, Reshape(indices, checked((int)indices.Shape.Numel)), 0);
        return Reshape(rows, new Shape([.. indices.Shape, weight.Shape[1]]));
    }
}
