using Dsl.Backend.DirectML.Interop;

namespace Dsl.Backend.DirectML.Runtime;

/// <summary>
/// A committed D3D12 buffer with its heap type and size, and the raw <c>ID3D12Resource*</c> that
/// binding and barrier structs carry (they hold pointers, not managed references).
/// </summary>
internal sealed unsafe class DmlBuffer : IDisposable
{
    void* pointer;

    public DmlBuffer(ID3D12Resource resource, D3D12_HEAP_TYPE heap, ulong sizeInBytes)
    {
        Resource = resource;
        Heap = heap;
        SizeInBytes = sizeInBytes;
        pointer = ComInterop.AddRefPointer(resource);
    }

    /// <summary>The resource, for calls that take the interface.</summary>
    public ID3D12Resource Resource { get; }

    /// <summary>DEFAULT (GPU only), UPLOAD (CPU writes) or READBACK (CPU reads).</summary>
    public D3D12_HEAP_TYPE Heap { get; }

    /// <summary>The buffer's width in bytes.</summary>
    public ulong SizeInBytes { get; }

    /// <summary>The raw interface pointer, valid until <see cref="Dispose"/>.</summary>
    public void* Pointer => pointer != null ? pointer : throw new ObjectDisposedException(nameof(DmlBuffer));

    /// <summary>Copies <paramref name="bytes"/> into an UPLOAD buffer at <paramref name="offset"/> (Map, write, Unmap).</summary>
    public void Write(ulong offset, ReadOnlySpan<byte> bytes)
    {
        void* data;
        // An empty read range: the CPU does not read an upload buffer.
        var read = new D3D12_RANGE();
        Resource.Map(0, &read, &data);
        try
        {
            bytes.CopyTo(new Span<byte>((byte*)data + offset, bytes.Length));
        }
        finally
        {
            var written = new D3D12_RANGE { Begin = (nuint)offset, End = (nuint)(offset + (ulong)bytes.Length) };
            Resource.Unmap(0, &written);
        }
    }

    /// <summary>Copies <paramref name="count"/> bytes at <paramref name="offset"/> out of a READBACK buffer.</summary>
    public byte[] Read(ulong offset, int count)
    {
        void* data;
        var read = new D3D12_RANGE { Begin = (nuint)offset, End = (nuint)(offset + (ulong)count) };
        Resource.Map(0, &read, &data);
        try
        {
            return new ReadOnlySpan<byte>((byte*)data + offset, count).ToArray();
        }
        finally
        {
            // An empty written range: the CPU wrote nothing.
            var written = new D3D12_RANGE();
            Resource.Unmap(0, &written);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (pointer == null)
            return;
        ComInterop.Release(pointer);
        pointer = null;
        ComInterop.FinalRelease(Resource);
    }
}
