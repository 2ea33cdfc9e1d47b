using System.Runtime.InteropServices;

namespace Dsl.Backend.DirectML.Interop;

// Layout of d3d12.h; checked against the header by Tests/DirectML/D3D12LayoutTests.
// The resource pointers are raw ID3D12Resource* (not marshalled): a barrier is an array
// element handed to ResourceBarrier, so it cannot hold managed references.

internal unsafe struct D3D12_RESOURCE_TRANSITION_BARRIER
{
    public void* pResource;
    public uint Subresource;
    public D3D12_RESOURCE_STATES StateBefore;
    public D3D12_RESOURCE_STATES StateAfter;
}

internal unsafe struct D3D12_RESOURCE_ALIASING_BARRIER
{
    public void* pResourceBefore;
    public void* pResourceAfter;
}

internal unsafe struct D3D12_RESOURCE_UAV_BARRIER
{
    public void* pResource;
}

/// <summary>
/// The header's anonymous union of the three barrier kinds, placed after the two enum fields.
/// Offset 8 holds on 64-bit targets only (the union starts pointer-aligned), which is all
/// D3D12 ships for; the layout test confirms it.
/// </summary>
[StructLayout(LayoutKind.Explicit)]
internal struct D3D12_RESOURCE_BARRIER
{
    [FieldOffset(0)] public D3D12_RESOURCE_BARRIER_TYPE Type;
    [FieldOffset(4)] public D3D12_RESOURCE_BARRIER_FLAGS Flags;
    [FieldOffset(8)] public D3D12_RESOURCE_TRANSITION_BARRIER Transition;
    [FieldOffset(8)] public D3D12_RESOURCE_ALIASING_BARRIER Aliasing;
    [FieldOffset(8)] public D3D12_RESOURCE_UAV_BARRIER UAV;

    /// <summary>A UAV barrier: orders DirectML dispatches that read what a previous one wrote.</summary>
    public static unsafe D3D12_RESOURCE_BARRIER ForUnorderedAccess(void* resource) => new()
    {
        Type = D3D12_RESOURCE_BARRIER_TYPE.D3D12_RESOURCE_BARRIER_TYPE_UAV,
        UAV = new D3D12_RESOURCE_UAV_BARRIER { pResource = resource },
    };

    /// <summary>A transition of every subresource between two states.</summary>
    public static unsafe D3D12_RESOURCE_BARRIER ForTransition(void* resource, D3D12_RESOURCE_STATES before, D3D12_RESOURCE_STATES after) => new()
    {
        Type = D3D12_RESOURCE_BARRIER_TYPE.D3D12_RESOURCE_BARRIER_TYPE_TRANSITION,
        Transition = new D3D12_RESOURCE_TRANSITION_BARRIER
        {
            pResource = resource,
            // D3D12_RESOURCE_BARRIER_ALL_SUBRESOURCES
            Subresource = 0xffffffff,
            StateBefore = before,
            StateAfter = after,
        },
    };
}
