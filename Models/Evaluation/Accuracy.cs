using System.Numerics.Tensors;

namespace Dsl.Models.Evaluation;

/// <summary>
/// The one accuracy definition: a row is correct when its label is the index of its largest logit,
/// the first of tied maxima (torch.argmax). <see cref="Top1(Tensor, Tensor)"/> computes it in a
/// graph (training metrics), <see cref="Top1(ReadOnlySpan{float}, ReadOnlySpan{long}, int)"/> on
/// logits already on the host (evaluation of a whole split in batches).
/// </summary>
public static class Accuracy
{
    /// <summary>The fraction of rows of [N, K] <paramref name="logits"/> whose largest entry is at the i64 [N] label.</summary>
    public static Tensor Top1(Tensor logits, Tensor labels)
    {
        var predicted = Ops.Cast(Ops.ArgMax(logits, 1), DType.Float32);
        return Ops.Mean(Ops.Equal(predicted, Ops.Cast(labels, DType.Float32)));
    }

    /// <summary>The fraction of the [N, <paramref name="classes"/>] row-major <paramref name="logits"/> whose largest entry is at the label.</summary>
    /// <exception cref="ArgumentException">The sizes disagree.</exception>
    public static double Top1(ReadOnlySpan<float> logits, ReadOnlySpan<long> labels, int classes)
    {
        if (classes <= 0 || logits.Length != labels.Length * classes)
            throw new ArgumentException($"{labels.Length} labels need {labels.Length} x {classes} logits, got {logits.Length}.");
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
            if (TensorPrimitives.IndexOfMax(logits.Slice(i * classes, classes)) == labels[i]) correct++;
        return labels.Length == 0 ? 0 : (double)correct / labels.Length;
    }
}
