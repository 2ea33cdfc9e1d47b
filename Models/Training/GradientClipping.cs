namespace Dsl.Models.Training;

/// <summary>
/// Gradient clipping as graph ops (torch.nn.utils.clip_grad_norm_ semantics) on a flat gradient:
/// the global norm is one sum of squares and the scaling one product over the whole buffer.
/// </summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales a flat gradient by min(1, maxNorm/(‖g‖ + 1e-6)), ‖g‖ its L2 norm. Returns the clipped
    /// gradient and the norm before clipping (for logging).
    /// </summary>
    public static (Tensor Clipped, Tensor Norm) ByGlobalNorm(Tensor flatGradient, double maxNorm)
    {
        if (flatGradient.Rank != 1) throw new ShapeException($"Expected a flat gradient, got {flatGradient.Type}.");
        var (clipped, norms) = ByGroupNorms(flatGradient, [new PackRange(0, flatGradient.Shape[0], 0)], maxNorm);
        return (clipped, norms[0]);
    }

    /// <summary>
    /// Clips each group of a flat gradient by its own global norm (a model and its auxiliary head):
    /// <paramref name="ranges"/> cut the gradient into consecutive element ranges, each of a group
    /// 0, 1, … (see <see cref="ParameterPack.Ranges"/>). Returns the clipped gradient and each group's norm.
    /// </summary>
    public static (Tensor Clipped, Tensor[] Norms) ByGroupNorms(Tensor flatGradient, IReadOnlyList<PackRange> ranges, double maxNorm)
    {
        if (maxNorm <= 0) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The maximum norm must be positive.");
        if (flatGradient.Rank != 1) throw new ShapeException($"Expected a flat gradient, got {flatGradient.Type}.");
        int covered = 0;
        foreach (var range in ranges)
        {
            if (range.Start != covered || range.End < range.Start || range.Group < 0)
                throw new ArgumentException($"{range} does not continue the ranges before it at element {covered}.");
            covered = range.End;
        }
        if (ranges.Count == 0 || covered != flatGradient.Shape[0])
            throw new ArgumentException($"The ranges cover {covered} of the {flatGradient.Shape[0]} elements of the gradient.");
        int groups = ranges.Max(r => r.Group) + 1;

        var parts = ranges.Select(r => Ops.Slice(flatGradient, 0, r.Start, r.End)).ToArray();
        var squares = new Tensor?[groups];
        for (int i = 0; i < parts.Length; i++)
        {
            var sum = Ops.Sum(parts[i] * parts[i]);
            int group = ranges[i].Group;
            squares[group] = squares[group] is { } earlier ? earlier + sum : sum;
        }
        var norms = squares.Select((s, k) => s is null ? throw new ArgumentException($"Group {k} has no range.") : Ops.Sqrt(s)).ToArray();
        var scales = norms.Select(norm => Ops.Minimum(norm.Scalar(1), maxNorm / (norm + 1e-6))).ToArray();
        return (Ops.Concat(0, [.. parts.Select((part, i) => part * scales[ranges[i].Group])]), norms);
    }

    /// <summary>
    /// <see cref="ByGlobalNorm(Tensor, double)"/> for gradients given one per parameter: they are
    /// flattened into one vector, clipped, and split back.
    /// </summary>
    public static (Tensor[] Clipped, Tensor Norm) ByGlobalNorm(IReadOnlyList<Tensor> gradients, double maxNorm)
    {
        if (gradients.Count == 0) throw new ArgumentException("No gradients to clip.");
        var (clipped, norm) = ByGlobalNorm(ParameterPack.Concatenate(gradients), maxNorm);
        return (ParameterPack.Split(clipped, [.. gradients.Select(g => g.Shape)]), norm);
    }
}
