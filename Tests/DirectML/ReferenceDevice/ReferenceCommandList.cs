using System.Runtime.InteropServices.Marshalling;
using Dsl.Backend.DirectML.Interop;

namespace Dsl.Tests.DirectML.ReferenceDevice;

/// <summary>
/// A graphics command list. Recording checks what D3D12 checks at record time (copy ranges, heap
/// types, barrier types) and keeps the first error for <see cref="Close"/> to fail with; the
/// recorded commands run when the queue executes the list, checking resource states there (as
/// the debug layer does on the GPU timeline).
/// </summary>
[GeneratedComClass]
internal sealed unsafe partial class ReferenceCommandList : ReferenceD3D12Child, ID3D12GraphicsCommandList
{
    readonly List<(string Name, Action Run)> commands = [];
    ReferenceCommandAllocator allocator;
    string? recordingError;

    public ReferenceCommandList(ReferenceD3D12Device device, ReferenceGpu gpu, D3D12_COMMAND_LIST_TYPE type, ReferenceCommandAllocator allocator)
        : base(device, gpu)
    {
        Type = type;
        this.allocator = allocator;
        allocator.OpenLists++;
        IsOpen = true;
    }

    /// <summary>DIRECT, COMPUTE or COPY.</summary>
    public D3D12_COMMAND_LIST_TYPE Type { get; }

    /// <summary>True between creation or Reset and Close.</summary>
    public bool IsOpen { get; private set; }

    /// <summary>The descriptor heap set by SetDescriptorHeaps, if any.</summary>
    public ReferenceDescriptorHeap? DescriptorHeap { get; private set; }

    D3D12_COMMAND_LIST_TYPE ID3D12CommandList.GetType() => Type;

    public void Close()
    {
        if (!IsOpen)
            throw Gpu.Fail("ID3D12GraphicsCommandList::Close: the list is not recording.");
        IsOpen = false;
        allocator.OpenLists--;
        if (recordingError is not null)
            throw Gpu.Fail($"ID3D12GraphicsCommandList::Close: recording failed: {recordingError}");
    }

    public void Reset(ID3D12CommandAllocator pAllocator, void* pInitialState)
    {
        if (IsOpen)
            throw Gpu.Fail("ID3D12GraphicsCommandList::Reset: the list is still recording (Close it first).");
        if (Gpu.Own<ReferenceCommandAllocator>(pAllocator) is not { } next)
            throw Gpu.Fail("ID3D12GraphicsCommandList::Reset: the allocator is not one of this device's.");
        allocator = next;
        allocator.OpenLists++;
        IsOpen = true;
        commands.Clear();
        recordingError = null;
        DescriptorHeap = null;
    }

    public void ClearState() => NotImplemented(nameof(ClearState));

    public void DrawInstanced() => NotImplemented(nameof(DrawInstanced));

    public void DrawIndexedInstanced() => NotImplemented(nameof(DrawIndexedInstanced));

    public void Dispatch() => NotImplemented(nameof(Dispatch));

    public void CopyBufferRegion(ID3D12Resource pDstBuffer, ulong DstOffset, ID3D12Resource pSrcBuffer, ulong SrcOffset, ulong NumBytes) => Record("CopyBufferRegion", () =>
    {
        if (Gpu.Own<ReferenceResource>(pDstBuffer) is not { } dst || Gpu.Own<ReferenceResource>(pSrcBuffer) is not { } src)
            throw Gpu.Fail("CopyBufferRegion: a buffer is not one of this device's.");
        dst.CheckRange(DstOffset, NumBytes, "CopyBufferRegion destination");
        src.CheckRange(SrcOffset, NumBytes, "CopyBufferRegion source");
        if (dst.HeapType == D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_UPLOAD)
            throw Gpu.Fail("CopyBufferRegion: the GPU cannot write to an UPLOAD heap buffer.");
        if (src.HeapType == D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_READBACK)
            throw Gpu.Fail("CopyBufferRegion: a READBACK buffer stays in COPY_DEST and cannot be a copy source.");
        if (dst == src && DstOffset < SrcOffset + NumBytes && SrcOffset < DstOffset + NumBytes)
            throw Gpu.Fail("CopyBufferRegion: source and destination ranges overlap.");
        return () =>
        {
            RequireState(dst, D3D12_RESOURCE_STATES.D3D12_RESOURCE_STATE_COPY_DEST, "CopyBufferRegion destination");
            if (src.HeapType == D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_DEFAULT)
                RequireState(src, D3D12_RESOURCE_STATES.D3D12_RESOURCE_STATE_COPY_SOURCE, "CopyBufferRegion source");
            Buffer.MemoryCopy(src.Data + SrcOffset, dst.Data + DstOffset, (long)(dst.Width - DstOffset), (long)NumBytes);
        };
    });

    public void CopyTextureRegion() => NotImplemented(nameof(CopyTextureRegion));

    public void CopyResource() => NotImplemented(nameof(CopyResource));

    public void CopyTiles() => NotImplemented(nameof(CopyTiles));

    public void ResolveSubresource() => NotImplemented(nameof(ResolveSubresource));

    public void IASetPrimitiveTopology() => NotImplemented(nameof(IASetPrimitiveTopology));

    public void RSSetViewports() => NotImplemented(nameof(RSSetViewports));

    public void RSSetScissorRects() => NotImplemented(nameof(RSSetScissorRects));

    public void OMSetBlendFactor() => NotImplemented(nameof(OMSetBlendFactor));

    public void OMSetStencilRef() => NotImplemented(nameof(OMSetStencilRef));

    public void SetPipelineState() => NotImplemented(nameof(SetPipelineState));

    public void ResourceBarrier(uint NumBarriers, D3D12_RESOURCE_BARRIER* pBarriers) => Record("ResourceBarrier", () =>
    {
        var transitions = new List<(ReferenceResource Resource, D3D12_RESOURCE_STATES Before, D3D12_RESOURCE_STATES After)>();
        for (var i = 0; i < NumBarriers; i++)
        {
            var barrier = pBarriers[i];
            switch (barrier.Type)
            {
                case D3D12_RESOURCE_BARRIER_TYPE.D3D12_RESOURCE_BARRIER_TYPE_TRANSITION:
                    var resource = Gpu.Resolve<ReferenceResource>(barrier.Transition.pResource, $"ResourceBarrier {i}: the resource");
                    if (resource.HeapType != D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_DEFAULT)
                        throw Gpu.Fail($"ResourceBarrier {i}: a {resource.HeapType} buffer cannot change state.");
                    if (barrier.Transition.StateBefore == barrier.Transition.StateAfter)
                        throw Gpu.Fail($"ResourceBarrier {i}: a transition from {barrier.Transition.StateBefore} to itself.");
                    if (transitions.Any(t => t.Resource == resource))
                        throw Gpu.Fail($"ResourceBarrier {i}: the same resource transitions twice in one call.");
                    transitions.Add((resource, barrier.Transition.StateBefore, barrier.Transition.StateAfter));
                    break;
                case D3D12_RESOURCE_BARRIER_TYPE.D3D12_RESOURCE_BARRIER_TYPE_UAV:
                    // All work is ordered here anyway; a named resource must still be one of ours.
                    if (barrier.UAV.pResource != null)
                        Gpu.Resolve<ReferenceResource>(barrier.UAV.pResource, $"ResourceBarrier {i}: the UAV resource");
                    break;
                default:
                    throw Gpu.Fail($"ResourceBarrier {i}: {barrier.Type} barriers are not supported by the reference device.");
            }
        }
        return () =>
        {
            foreach (var (resource, before, after) in transitions)
            {
                RequireState(resource, before, "ResourceBarrier StateBefore");
                resource.State = after;
            }
        };
    });

    public void ExecuteBundle() => NotImplemented(nameof(ExecuteBundle));

    public void SetDescriptorHeaps(uint NumDescriptorHeaps, void** ppDescriptorHeaps) => Record("SetDescriptorHeaps", () =>
    {
        if (NumDescriptorHeaps != 1)
            throw Gpu.Fail($"SetDescriptorHeaps: the reference device takes one CBV_SRV_UAV heap, got {NumDescriptorHeaps}.");
        var heap = Gpu.Resolve<ReferenceDescriptorHeap>(ppDescriptorHeaps[0], "SetDescriptorHeaps: heap 0");
        if (heap.GpuStart == 0)
            throw Gpu.Fail("SetDescriptorHeaps: the heap is not shader-visible.");
        DescriptorHeap = heap;
        return () => { };
    });

    /// <summary>Records a command built (and validated) by <paramref name="build"/>; for DirectML's recorder too.</summary>
    public void Record(string name, Func<Action> build)
    {
        if (!IsOpen)
        {
            recordingError ??= $"{name} on a closed command list.";
            Gpu.Errors.Add(recordingError);
            return;
        }
        try
        {
            commands.Add((name, build()));
        }
        catch (Exception e) when (e is ReferenceDeviceException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            // PreserveSig void methods cannot fail; D3D12 fails Close instead.
            recordingError ??= $"{name}: {e.Message}";
        }
    }

    /// <summary>Runs the recorded commands in order (called by the queue).</summary>
    public void Execute()
    {
        if (IsOpen)
            throw Gpu.Fail("ExecuteCommandLists: the list was not closed.");
        foreach (var (name, run) in commands)
        {
            try
            {
                run();
            }
            catch (Exception e) when (e is not ReferenceDeviceException)
            {
                throw Gpu.Fail($"{name}: {e.Message}");
            }
        }
    }

    void RequireState(ReferenceResource resource, D3D12_RESOURCE_STATES state, string what)
    {
        if (resource.State != state)
            throw Gpu.Fail($"{what}: the {resource.Width}-byte {resource.HeapType} buffer is in {resource.State}, not {state} (a missing or wrong barrier).");
    }
}
