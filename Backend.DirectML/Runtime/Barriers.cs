using Dsl.Backend.DirectML.Interop;

namespace Dsl.Backend.DirectML.Runtime;

/// <summary>The resource barriers the runtime records: state transitions around copies, UAV barriers after dispatches.</summary>
internal static unsafe class Barriers
{
    /// <summary>Transitions each distinct buffer between two states in one ResourceBarrier call.</summary>
    public static void Transition(ID3D12GraphicsCommandList list, IEnumerable<DmlBuffer> buffers, D3D12_RESOURCE_STATES before, D3D12_RESOURCE_STATES after)
    {
        var distinct = buffers.Distinct().ToArray();
        if (distinct.Length == 0)
            return;
        var barriers = stackalloc D3D12_RESOURCE_BARRIER[distinct.Length];
        for (var i = 0; i < distinct.Length; i++)
            barriers[i] = D3D12_RESOURCE_BARRIER.ForTransition(distinct[i].Pointer, before, after);
        list.ResourceBarrier((uint)distinct.Length, barriers);
    }

    /// <summary>A UAV barrier on every resource: later work sees what a dispatch wrote.</summary>
    public static void AllUnorderedAccess(ID3D12GraphicsCommandList list)
    {
        var barrier = D3D12_RESOURCE_BARRIER.ForUnorderedAccess(null);
        list.ResourceBarrier(1, &barrier);
    }
}
