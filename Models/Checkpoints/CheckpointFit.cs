using Dsl.Execution;
namespace Dsl.Models.Checkpoints;

/// <summary>
/// Compares a checkpoint's tensors with the persistent values a graph needs and reports every
/// difference at once (missing, unexpected, other shape or dtype), as PyTorch's
/// <c>load_state_dict</c> does, so a user sees the whole picture rather than the first name.
/// </summary>
public static class CheckpointFit
{
    /// <summary>Most names listed per kind of mismatch; the rest are counted.</summary>
    const int Listed = 20;

    /// <summary>The differences between <paramref name="expected"/> and <paramref name="found"/>.</summary>
    /// <param name="expected">What the model needs, by name.</param>
    /// <param name="found">What the checkpoint holds.</param>
    /// <param name="strict">Report checkpoint tensors the model does not use as well (a full-state load);
    /// false when the model reads a part (an encoder out of a training checkpoint).</param>
    public static (IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected, IReadOnlyList<string> Differing) Compare(
        IReadOnlyDictionary<string, TensorType> expected, IReadOnlyDictionary<string, HostTensor> found, bool strict)
    {
        var missing = expected.Keys.Where(k => !found.ContainsKey(k)).Order(StringComparer.Ordinal).ToArray();
        var unexpected = strict ? found.Keys.Where(k => !expected.ContainsKey(k)).Order(StringComparer.Ordinal).ToArray() : [];
        var differing = expected.Where(p => found.TryGetValue(p.Key, out var v) && v.Type != p.Value)
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{p.Key} (checkpoint {found[p.Key].Type}, model {p.Value})").ToArray();
        return (missing, unexpected, differing);
    }

    /// <summary>Throws a <see cref="CheckpointException"/> listing every mismatch, if there is any.</summary>
    /// <param name="path">The checkpoint file, for the message.</param>
    /// <param name="expected">What the model needs, by name.</param>
    /// <param name="found">What the checkpoint holds.</param>
    /// <param name="strict">See <see cref="Compare"/>.</param>
    /// <param name="what">The model, for the message (e.g. "this SimCLR encoder").</param>
    public static void Require(string path, IReadOnlyDictionary<string, TensorType> expected, IReadOnlyDictionary<string, HostTensor> found, bool strict, string what)
    {
        var (missing, unexpected, differing) = Compare(expected, found, strict);
        if (missing.Count + unexpected.Count + differing.Count == 0) return;
        var parts = new List<string>();
        if (missing.Count > 0) parts.Add($"{missing.Count} missing: {List(missing)}");
        if (unexpected.Count > 0) parts.Add($"{unexpected.Count} unexpected: {List(unexpected)}");
        if (differing.Count > 0) parts.Add($"{differing.Count} with another shape or dtype: {List(differing)}");
        throw new CheckpointException(path,
            $"does not fit {what} ({string.Join("; ", parts)}). It was written for another model or configuration: pass the checkpoint of this one, or the settings it was trained with.");
    }

    /// <summary>Throws unless <paramref name="found"/> holds every persistent value of <paramref name="graph"/> with its type.</summary>
    public static void Require(string path, Graph graph, IReadOnlyDictionary<string, HostTensor> found, string what) =>
        Require(path, graph.Persistent.ToDictionary(v => v.Name!, v => v.Type), found, strict: false, what);

    static string List(IReadOnlyList<string> items) =>
        string.Join(", ", items.Take(Listed)) + (items.Count > Listed ? $", and {items.Count - Listed} more" : "");
}
