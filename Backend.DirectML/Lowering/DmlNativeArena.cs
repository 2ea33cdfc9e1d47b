using System.Runtime.InteropServices;
using System.Text;

namespace Dsl.Backend.DirectML.Lowering;

/// <summary>
/// Owns every unmanaged allocation behind one built DirectML description (structs, size and
/// stride arrays, names): all zero-initialised, all freed together on <see cref="Dispose"/>.
/// Pointers handed out stay valid until then and never move.
/// </summary>
internal sealed unsafe class DmlNativeArena : IDisposable
{
    readonly List<nint> blocks = [];
    bool disposed;

    /// <summary>Bytes allocated so far (for tests and diagnostics).</summary>
    public long BytesAllocated { get; private set; }

    /// <summary>A zeroed array of <paramref name="count"/> Ts (at least one element's room).</summary>
    public T* Alloc<T>(int count = 1) where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var bytes = (nuint)(Math.Max(count, 1) * sizeof(T));
        var p = NativeMemory.AllocZeroed(bytes);
        blocks.Add((nint)p);
        BytesAllocated += (long)bytes;
        return (T*)p;
    }

    /// <summary>A copy of <paramref name="values"/>.</summary>
    public T* Copy<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        var p = Alloc<T>(values.Length);
        values.CopyTo(new Span<T>(p, values.Length));
        return p;
    }

    /// <summary>A NUL-terminated UTF-8 copy of <paramref name="text"/> (DirectML's <c>const char*</c> names).</summary>
    public byte* Utf8(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var p = Alloc<byte>(bytes.Length + 1);
        bytes.CopyTo(new Span<byte>(p, bytes.Length));
        return p;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (disposed)
            return;
        disposed = true;
        foreach (var block in blocks)
            NativeMemory.Free((void*)block);
        blocks.Clear();
    }
}
