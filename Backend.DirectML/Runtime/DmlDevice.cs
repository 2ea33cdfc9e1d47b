using System.Runtime.InteropServices;
using Dsl.Backend.DirectML.Interop;

namespace Dsl.Backend.DirectML.Runtime;

/// <summary>
/// A D3D12 device with its DirectML device, one direct queue, one command allocator and list, and
/// a fence: everything the runtime submits goes through <see cref="Submit"/>, which records,
/// executes and waits (the runtime is synchronous: each call returns with the GPU idle).
/// Reached through the COM interfaces only, so a real device and the tests' reference device
/// are driven by the same code.
/// </summary>
internal sealed unsafe class DmlDevice : IDisposable
{
    readonly ID3D12CommandQueue queue;
    readonly ID3D12CommandAllocator allocator;
    readonly ID3D12GraphicsCommandList list;
    readonly ID3D12Fence fence;
    ulong fenceValue;
    bool disposed;

    /// <summary>Creates the queue, allocator, command list and fence on <paramref name="d3d12"/>.</summary>
    public DmlDevice(ID3D12Device d3d12, IDMLDevice1 dml, string adapterName)
    {
        D3D12 = d3d12;
        Dml = dml;
        AdapterName = adapterName;
        // The lowering picks operators by level (e.g. GELU from 5_1); below the minimum nothing is promised.
        FeatureLevel = DmlFeatureLevels.QueryMax(dml);
        if (FeatureLevel < DirectMLAvailability.MinimumLevel)
            throw new DirectMLUnavailableException(UnavailabilityMessages.FeatureLevelTooLow(adapterName, FeatureLevel, DirectMLAvailability.MinimumLevel, "the DirectML device given"));
        var queueDesc = stackalloc D3D12_COMMAND_QUEUE_DESC[1];
        queueDesc[0] = new D3D12_COMMAND_QUEUE_DESC { Type = D3D12_COMMAND_LIST_TYPE.D3D12_COMMAND_LIST_TYPE_DIRECT };
        queue = Create<ID3D12CommandQueue>((iid, ppv) => d3d12.CreateCommandQueue(queueDesc, iid, ppv));
        allocator = Create<ID3D12CommandAllocator>((iid, ppv) => d3d12.CreateCommandAllocator(D3D12_COMMAND_LIST_TYPE.D3D12_COMMAND_LIST_TYPE_DIRECT, iid, ppv));
        list = Create<ID3D12GraphicsCommandList>((iid, ppv) => d3d12.CreateCommandList(0, D3D12_COMMAND_LIST_TYPE.D3D12_COMMAND_LIST_TYPE_DIRECT, allocator, null, iid, ppv));
        // A list is created open; keep it closed between submissions.
        list.Close();
        fence = Create<ID3D12Fence>((iid, ppv) => d3d12.CreateFence(0, D3D12_FENCE_FLAGS.D3D12_FENCE_FLAG_NONE, iid, ppv));
    }

    /// <summary>The D3D12 device.</summary>
    public ID3D12Device D3D12 { get; }

    /// <summary>The DirectML device (IDMLDevice1: graphs need feature level 2_1).</summary>
    public IDMLDevice1 Dml { get; }

    /// <summary>The highest DirectML feature level the device supports (at least <see cref="DirectMLAvailability.MinimumLevel"/>).</summary>
    public DML_FEATURE_LEVEL FeatureLevel { get; }

    /// <summary>The adapter's name, for <see cref="DirectMLBackend.Name"/>.</summary>
    public string AdapterName { get; }

    /// <summary>The out-parameter shape of every D3D12/DirectML factory method.</summary>
    public delegate void Factory(Guid* iid, void** ppv);

    /// <summary>Calls a factory method with <typeparamref name="T"/>'s IID and wraps what it returns.</summary>
    public static T Create<T>(Factory factory) where T : class
    {
        var iid = typeof(T).GUID;
        void* result = null;
        factory(&iid, &result);
        return ComInterop.Take<T>(result);
    }

    /// <summary>
    /// A committed buffer. DEFAULT buffers allow unordered access (DirectML binds them as UAVs)
    /// and rest in UNORDERED_ACCESS; UPLOAD buffers must start in GENERIC_READ and READBACK ones
    /// in COPY_DEST, as D3D12 requires. Committed resources start zeroed.
    /// </summary>
    public DmlBuffer CreateBuffer(D3D12_HEAP_TYPE heap, ulong sizeInBytes)
    {
        var properties = stackalloc D3D12_HEAP_PROPERTIES[1];
        properties[0] = new D3D12_HEAP_PROPERTIES { Type = heap };
        var isDefault = heap == D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_DEFAULT;
        var desc = stackalloc D3D12_RESOURCE_DESC[1];
        desc[0] = D3D12_RESOURCE_DESC.Buffer(Math.Max(sizeInBytes, 4), isDefault ? D3D12_RESOURCE_FLAGS.D3D12_RESOURCE_FLAG_ALLOW_UNORDERED_ACCESS : D3D12_RESOURCE_FLAGS.D3D12_RESOURCE_FLAG_NONE);
        var state = heap switch
        {
            D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_UPLOAD => D3D12_RESOURCE_STATES.D3D12_RESOURCE_STATE_GENERIC_READ,
            D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_READBACK => D3D12_RESOURCE_STATES.D3D12_RESOURCE_STATE_COPY_DEST,
            _ => D3D12_RESOURCE_STATES.D3D12_RESOURCE_STATE_UNORDERED_ACCESS,
        };
        var resource = Create<ID3D12Resource>((iid, ppv) => D3D12.CreateCommittedResource(properties, D3D12_HEAP_FLAGS.D3D12_HEAP_FLAG_NONE, desc, state, null, iid, ppv));
        return new DmlBuffer(resource, heap, desc->Width);
    }

    /// <summary>Records commands on the list, executes it and waits for the GPU to finish.</summary>
    /// <exception cref="COMException">The device rejected the commands or was removed; the message says which call and why.</exception>
    public void Submit(Action<ID3D12GraphicsCommandList> record)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        allocator.Reset();
        list.Reset(allocator, null);
        try
        {
            record(list);
        }
        finally
        {
            Guard(list.Close, "ID3D12GraphicsCommandList::Close (recording was rejected)");
        }
        var lists = stackalloc void*[1];
        lists[0] = ComInterop.AddRefPointer<ID3D12CommandList>(list);
        try
        {
            queue.ExecuteCommandLists(1, lists);
        }
        finally
        {
            ComInterop.Release(lists[0]);
        }
        fenceValue++;
        Guard(() => queue.Signal(fence, fenceValue), "ID3D12CommandQueue::Signal");
        if (fence.GetCompletedValue() < fenceValue)
            Guard(() => fence.SetEventOnCompletion(fenceValue, 0), "ID3D12Fence::SetEventOnCompletion");
    }

    /// <summary>Runs a call and, on failure, names it and the device-removed reason (the only detail D3D12 gives).</summary>
    void Guard(Action call, string name)
    {
        try
        {
            call();
        }
        catch (Exception e) when (e is COMException or InvalidOperationException or ArgumentException)
        {
            var reason = D3D12.GetDeviceRemovedReason();
            var removed = reason < 0 ? $"; the device was removed (reason 0x{reason:X8})" : "";
            throw new COMException($"DirectML backend: {name} failed with HRESULT 0x{e.HResult:X8}{removed}.", e.HResult);
        }
    }

    /// <summary>Uploads bytes into a DEFAULT buffer through a temporary UPLOAD buffer.</summary>
    public void Upload(DmlBuffer target, ReadOnlySpan<byte> bytes)
    {
        using var staging = CreateBuffer(D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_UPLOAD, (ulong)bytes.Length);
        staging.Write(0, bytes);
        var count = (ulong)bytes.Length;
        Submit(l =>
        {
            Barriers.Transition(l, [target], D3D12_RESOURCE_STATES.D3D12_RESOURCE_STATE_UNORDERED_ACCESS, D3D12_RESOURCE_STATES.D3D12_RESOURCE_STATE_COPY_DEST);
            l.CopyBufferRegion(target.Resource, 0, staging.Resource, 0, count);
            Barriers.Transition(l, [target], D3D12_RESOURCE_STATES.D3D12_RESOURCE_STATE_COPY_DEST, D3D12_RESOURCE_STATES.D3D12_RESOURCE_STATE_UNORDERED_ACCESS);
        });
    }

    /// <summary>Reads <paramref name="count"/> bytes of a DEFAULT buffer through a temporary READBACK buffer.</summary>
    public byte[] Download(DmlBuffer source, int count)
    {
        using var staging = CreateBuffer(D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_READBACK, (ulong)count);
        Submit(l =>
        {
            Barriers.Transition(l, [source], D3D12_RESOURCE_STATES.D3D12_RESOURCE_STATE_UNORDERED_ACCESS, D3D12_RESOURCE_STATES.D3D12_RESOURCE_STATE_COPY_SOURCE);
            l.CopyBufferRegion(staging.Resource, 0, source.Resource, 0, (ulong)count);
            Barriers.Transition(l, [source], D3D12_RESOURCE_STATES.D3D12_RESOURCE_STATE_COPY_SOURCE, D3D12_RESOURCE_STATES.D3D12_RESOURCE_STATE_UNORDERED_ACCESS);
        });
        return staging.Read(0, count);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (disposed)
            return;
        disposed = true;
        ComInterop.FinalRelease(fence);
        ComInterop.FinalRelease(list);
        ComInterop.FinalRelease(allocator);
        ComInterop.FinalRelease(queue);
        ComInterop.FinalRelease(Dml);
        ComInterop.FinalRelease(D3D12);
    }
}
