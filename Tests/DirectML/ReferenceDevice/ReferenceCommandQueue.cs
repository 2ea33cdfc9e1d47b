using System.Runtime.InteropServices.Marshalling;
using Dsl.Backend.DirectML.Interop;

namespace Dsl.Tests.DirectML.ReferenceDevice;

/// <summary>
/// A queue that executes command lists at once, in order, on the calling thread. An error during
/// execution removes the device (as a GPU fault would): later Signal calls fail.
/// </summary>
[GeneratedComClass]
internal sealed unsafe partial class ReferenceCommandQueue(ReferenceD3D12Device device, ReferenceGpu gpu, D3D12_COMMAND_LIST_TYPE type) : ReferenceD3D12Child(device, gpu), ID3D12CommandQueue
{
    /// <summary>Command lists executed so far.</summary>
    public int Executed { get; private set; }

    public void UpdateTileMappings() => NotImplemented(nameof(UpdateTileMappings));

    public void CopyTileMappings() => NotImplemented(nameof(CopyTileMappings));

    public void ExecuteCommandLists(uint NumCommandLists, void** ppCommandLists)
    {
        try
        {
            for (var i = 0; i < NumCommandLists; i++)
            {
                var list = Gpu.Resolve<ReferenceCommandList>(ppCommandLists[i], $"ExecuteCommandLists: list {i}");
                if (list.Type != type)
                    throw Gpu.Fail($"ExecuteCommandLists: a {list.Type} list on a {type} queue.");
                list.Execute();
                Executed++;
            }
        }
        catch (Exception e) when (e is ReferenceDeviceException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            // PreserveSig void: nothing crosses back; the device is removed instead, as after a GPU fault.
            Gpu.Remove($"ExecuteCommandLists: {e.Message}");
        }
    }

    public void SetMarker() => NotImplemented(nameof(SetMarker));

    public void BeginEvent() => NotImplemented(nameof(BeginEvent));

    public void EndEvent() => NotImplemented(nameof(EndEvent));

    public void Signal(ID3D12Fence pFence, ulong Value)
    {
        Gpu.ThrowIfRemoved("ID3D12CommandQueue::Signal");
        if (Gpu.Own<ReferenceFence>(pFence) is not { } fence)
            throw Gpu.Fail("ID3D12CommandQueue::Signal: the fence is not one of this device's.");
        fence.Value = Value;
    }
}
