using System.Collections;

namespace Dsl;

/// <summary>An immutable list of dimension sizes with value equality. Rank 0 is a scalar.</summary>
public sealed class Shape : IEquatable<Shape>, IReadOnlyList<int>
{
    readonly int[] dims;

    /// <summary>Creates a shape; every dimension must be non-negative.</summary>
    public Shape(params int[] dims)
    {
        foreach (var d in dims)
            if (d < 0) throw new ArgumentException($"Shape dimensions must be >= 0, got [{string.Join(",", dims)}].");
        this.dims = (int[])dims.Clone();
    }

    /// <summary>The scalar shape [].</summary>
    public static Shape Scalar { get; } = new();

    /// <summary>Number of dimensions.</summary>
    public int Rank => dims.Length;

    /// <summary>Total number of elements.</summary>
    public long Numel => dims.Aggregate(1L, (a, b) => a * b);

    /// <summary>Dimension i; negative i counts from the end.</summary>
    public int this[int i] => dims[i < 0 ? i + dims.Length : i];

    /// <summary>Count of dimensions (same as <see cref="Rank"/>).</summary>
    public int Count => dims.Length;

    /// <summary>A copy of the dimensions.</summary>
    public int[] ToArray() => (int[])dims.Clone();

    /// <summary>The dimensions as long[] (TorchSharp's convention).</summary>
    public long[] ToLongArray() => dims.Select(d => (long)d).ToArray();

    /// <summary>Normalises a possibly negative axis, throwing if out of range.</summary>
    public int Axis(int axis)
    {
        int a = axis < 0 ? axis + Rank : axis;
        if (a < 0 || a >= Math.Max(Rank, 1) || (Rank == 0))
            throw new ShapeException($"axis {axis} is out of range for a tensor of rank {Rank} {this}");
        return a;
    }

    /// <summary>Returns a new shape with dimension <paramref name="axis"/> replaced.</summary>
    public Shape With(int axis, int size)
    {
        var d = ToArray();
        d[Axis(axis)] = size;
        return new Shape(d);
    }

    /// <inheritdoc/>
    public bool Equals(Shape? other) => other is not null && dims.AsSpan().SequenceEqual(other.dims);
    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Shape);
    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in dims) h.Add(d);
        return h.ToHashCode();
    }
    /// <summary>Value equality.</summary>
    public static bool operator ==(Shape? a, Shape? b) => a is null ? b is null : a.Equals(b);
    /// <summary>Value inequality.</summary>
    public static bool operator !=(Shape? a, Shape? b) => !(a == b);

    /// <summary>Formats as [2,3].</summary>
    public override string ToString() => "[" + string.Join(",", dims) + "]";

    /// <inheritdoc/>
    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)dims).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => dims.GetEnumerator();

    /// <summary>Implicit conversion from an int array.</summary>
    public static implicit operator Shape(int[] dims) => new(dims);

    /// <summary>
    /// NumPy broadcasting of two shapes; returns null when they are incompatible.
    /// </summary>
    public static Shape? Broadcast(Shape a, Shape b)
    {
        int rank = Math.Max(a.Rank, b.Rank);
        var r = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Rank ? 1 : a.dims[i - (rank - a.Rank)];
            int db = i < rank - b.Rank ? 1 : b.dims[i - (rank - b.Rank)];
            if (da != db && da != 1 && db != 1) return null;
            r[i] = da == 1 ? db : da;
        }
        return new Shape(r);
    }
}
