using Dsl.Execution;
namespace Dsl.Models.Checkpoints;

/// <summary>
/// Refuses checkpoints holding NaN or ±Infinity: weights like that come from a diverged run, and
/// resuming, evaluating or exporting them would pass the damage on without a word.
/// </summary>
public static class NonFiniteValues
{
    /// <summary>The flag that lets a command load such a checkpoint anyway.</summary>
    public const string OverrideFlag = "--allow-nonfinite";

    /// <summary>
    /// Every tensor (in ordinal name order) holding a NaN or infinity, with its first such element's
    /// index and value and how many of its elements are not finite; empty when all are finite.
    /// </summary>
    public static IReadOnlyList<(string Name, long Index, double Value, long Count)> Find(IReadOnlyDictionary<string, HostTensor> tensors)
    {
        var result = new List<(string, long, double, long)>();
        foreach (var (name, tensor) in tensors.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            long first = -1, count = 0;
            double value = 0;
            switch (tensor.Data)
            {
                case float[] f:
                    for (long i = 0; i < f.Length; i++)
                        if (!float.IsFinite(f[i]) && count++ == 0) (first, value) = (i, f[i]);
                    break;
                case double[] d:
                    for (long i = 0; i < d.Length; i++)
                        if (!double.IsFinite(d[i]) && count++ == 0) (first, value) = (i, d[i]);
                    break;
            }
            if (count > 0) result.Add((name, first, value, count));
        }
        return result;
    }

    /// <summary>
    /// Throws unless every floating-point value is finite; the message names the file, the first such
    /// tensor and the fix. Call it on any checkpoint a run resumes from or a command evaluates or exports.
    /// </summary>
    /// <param name="path">The checkpoint file, for the message.</param>
    /// <param name="tensors">Its tensors.</param>
    /// <param name="allow">True (the user passed <see cref="OverrideFlag"/>): check nothing.</param>
    /// <exception cref="CheckpointException">A tensor holds NaN or an infinity.</exception>
    public static void Require(string path, IReadOnlyDictionary<string, HostTensor> tensors, bool allow = false)
    {
        if (allow) return;
        var found = Find(tensors);
        if (found.Count == 0) return;
        var bad = found[0];
        string others = found.Count > 1 ? $" ({found.Count - 1} more tensors hold such values too)" : "";
        throw new CheckpointException(path,
            $"holds non-finite values: tensor '{bad.Name}' has {Describe(bad.Value)} at index {bad.Index} ({bad.Count} of its {tensors[bad.Name].Shape.Numel} values are NaN or infinite){others}. " +
            $"The run that wrote it diverged: use an earlier checkpoint, or pass {OverrideFlag} to load it anyway.");
    }

    static string Describe(double v) => double.IsNaN(v) ? "NaN" : v > 0 ? "+Infinity" : "-Infinity";
}
