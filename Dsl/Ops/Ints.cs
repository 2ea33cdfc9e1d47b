using System.Collections;

namespace Dsl.Operators;

/// <summary>An immutable int list with value equality, for op attributes (axes, permutations).</summary>
public sealed class Ints : IEquatable<Ints>, IReadOnlyList<int>
{
    readonly int[] items;

    /// <summary>Creates the list.</summary>
    public Ints(params int[] items) => this.items = (int[])items.Clone();

    /// <summary>Element i.</summary>
    public int this[int i] => items[i];
    /// <summary>Number of elements.</summary>
    public int Count => items.Length;
    /// <summary>A copy as an array.</summary>
    public int[] ToArray() => (int[])items.Clone();
    /// <summary>As long[] (TorchSharp's convention).</summary>
    public long[] ToLongArray() => items.Select(i => (long)i).ToArray();

    /// <inheritdoc/>
    public bool Equals(Ints? other) => other is not null && items.AsSpan().SequenceEqual(other.items);
    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Ints);
    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var i in items) h.Add(i);
        return h.ToHashCode();
    }
    /// <summary>Formats as [0,2,1].</summary>
    public override string ToString() => "[" + string.Join(",", items) + "]";
    /// <inheritdoc/>
    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)items).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => items.GetEnumerator();
}
