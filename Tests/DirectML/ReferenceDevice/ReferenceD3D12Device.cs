using System.Runtime.InteropServices.Marshalling;
using Dsl.Backend.DirectML.Interop;

namespace Dsl.Tests.DirectML.ReferenceDevice;

/// <summary>
/// The D3D12 device: creates queues, allocators, command lists, fences, descriptor heaps and
/// committed buffers, validating the descriptions as D3D12 would for buffers.
/// </summary>
[GeneratedComClass]
internal sealed unsafe partial class ReferenceD3D12Device(ReferenceGpu gpu) : ReferenceD3D12Child(null, gpu), ID3D12Device
{
    public uint GetNodeCount() => 1;

    public void CreateCommandQueue(D3D12_COMMAND_QUEUE_DESC* pDesc, Guid* riid, void** ppCommandQueue)
    {
        if (pDesc == null)
            throw Gpu.Fail("CreateCommandQueue: pDesc is null.");
        ReferenceGpu.Return(new ReferenceCommandQueue(this, Gpu, pDesc->Type), riid, ppCommandQueue);
    }

    public void CreateCommandAllocator(D3D12_COMMAND_LIST_TYPE type, Guid* riid, void** ppCommandAllocator) =>
        ReferenceGpu.Return(new ReferenceCommandAllocator(this, Gpu, type), riid, ppCommandAllocator);

    public int CreateGraphicsPipelineState() => NotImplemented(nameof(CreateGraphicsPipelineState));

    public int CreateComputePipelineState() => NotImplemented(nameof(CreateComputePipelineState));

    public void CreateCommandList(uint nodeMask, D3D12_COMMAND_LIST_TYPE type, ID3D12CommandAllocator pCommandAllocator, void* pInitialState, Guid* riid, void** ppCommandList)
    {
        if (Gpu.Own<ReferenceCommandAllocator>(pCommandAllocator) is not { } allocator)
            throw Gpu.Fail("CreateCommandList: the allocator is not one of this device's.");
        if (allocator.Type != type)
            throw Gpu.Fail($"CreateCommandList: a {type} list needs a {type} allocator, got {allocator.Type}.");
        ReferenceGpu.Return(new ReferenceCommandList(this, Gpu, type, allocator), riid, ppCommandList);
    }

    public int CheckFeatureSupport(int Feature, void* pFeatureSupportData, uint FeatureSupportDataSize) => NotImplemented(nameof(CheckFeatureSupport));

    public void CreateDescriptorHeap(D3D12_DESCRIPTOR_HEAP_DESC* pDescriptorHeapDesc, Guid* riid, void** ppvHeap)
    {
        if (pDescriptorHeapDesc == null || pDescriptorHeapDesc->NumDescriptors == 0)
            throw Gpu.Fail("CreateDescriptorHeap: a heap needs at least one descriptor.");
        var heap = new ReferenceDescriptorHeap(this, Gpu, *pDescriptorHeapDesc);
        Gpu.Heaps.Add(heap);
        ReferenceGpu.Return(heap, riid, ppvHeap);
    }

    public uint GetDescriptorHandleIncrementSize(D3D12_DESCRIPTOR_HEAP_TYPE DescriptorHeapType) => ReferenceDescriptorHeap.IncrementSize;

    public int CreateRootSignature() => NotImplemented(nameof(CreateRootSignature));

    public void CreateConstantBufferView() => NotImplemented(nameof(CreateConstantBufferView));

    public void CreateShaderResourceView() => NotImplemented(nameof(CreateShaderResourceView));

    public void CreateUnorderedAccessView() => NotImplemented(nameof(CreateUnorderedAccessView));

    public void CreateRenderTargetView() => NotImplemented(nameof(CreateRenderTargetView));

    public void CreateDepthStencilView() => NotImplemented(nameof(CreateDepthStencilView));

    public void CreateSampler() => NotImplemented(nameof(CreateSampler));

    public void CopyDescriptors() => NotImplemented(nameof(CopyDescriptors));

    public void CopyDescriptorsSimple() => NotImplemented(nameof(CopyDescriptorsSimple));

    public void GetResourceAllocationInfo() => NotImplemented(nameof(GetResourceAllocationInfo));

    public void GetCustomHeapProperties() => NotImplemented(nameof(GetCustomHeapProperties));

    public void CreateCommittedResource(D3D12_HEAP_PROPERTIES* pHeapProperties, D3D12_HEAP_FLAGS HeapFlags, D3D12_RESOURCE_DESC* pDesc, D3D12_RESOURCE_STATES InitialResourceState, void* pOptimizedClearValue, Guid* riidResource, void** ppvResource)
    {
        if (pHeapProperties == null || pDesc == null)
            throw Gpu.Fail("CreateCommittedResource: null heap properties or description.");
        var heap = *pHeapProperties;
        var desc = *pDesc;
        if (desc.Dimension != D3D12_RESOURCE_DIMENSION.D3D12_RESOURCE_DIMENSION_BUFFER)
            throw Gpu.Fail($"CreateCommittedResource: the reference device makes buffers only, not {desc.Dimension}.");
        if (desc.Width == 0 || desc.Height != 1 || desc.DepthOrArraySize != 1 || desc.MipLevels != 1 || desc.SampleDesc.Count != 1
            || desc.Format != DXGI_FORMAT.DXGI_FORMAT_UNKNOWN || desc.Layout != D3D12_TEXTURE_LAYOUT.D3D12_TEXTURE_LAYOUT_ROW_MAJOR)
            throw Gpu.Fail($"CreateCommittedResource: a buffer needs Width > 0, Height/Depth/MipLevels/SampleCount 1, format UNKNOWN and ROW_MAJOR layout (Width {desc.Width}, Layout {desc.Layout}).");
        if (pOptimizedClearValue != null)
            throw Gpu.Fail("CreateCommittedResource: buffers take no optimized clear value.");
        var unordered = desc.Flags.HasFlag(D3D12_RESOURCE_FLAGS.D3D12_RESOURCE_FLAG_ALLOW_UNORDERED_ACCESS);
        switch (heap.Type)
        {
            case D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_DEFAULT:
                break;
            case D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_UPLOAD when InitialResourceState != D3D12_RESOURCE_STATES.D3D12_RESOURCE_STATE_GENERIC_READ:
                throw Gpu.Fail($"CreateCommittedResource: an UPLOAD buffer must start in GENERIC_READ, not {InitialResourceState}.");
            case D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_READBACK when InitialResourceState != D3D12_RESOURCE_STATES.D3D12_RESOURCE_STATE_COPY_DEST:
                throw Gpu.Fail($"CreateCommittedResource: a READBACK buffer must start in COPY_DEST, not {InitialResourceState}.");
            case D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_UPLOAD or D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_READBACK:
                break;
            default:
                throw Gpu.Fail($"CreateCommittedResource: heap type {heap.Type} is not supported by the reference device.");
        }
        if (unordered && heap.Type != D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_DEFAULT)
            throw Gpu.Fail($"CreateCommittedResource: ALLOW_UNORDERED_ACCESS is invalid on a {heap.Type} heap.");
        var resource = new ReferenceResource(this, Gpu, heap, desc, InitialResourceState);
        Gpu.Resources.Add(resource);
        ReferenceGpu.Return(resource, riidResource, ppvResource);
    }

    public int CreateHeap() => NotImplemented(nameof(CreateHeap));

    public int CreatePlacedResource() => NotImplemented(nameof(CreatePlacedResource));

    public int CreateReservedResource() => NotImplemented(nameof(CreateReservedResource));

    public int CreateSharedHandle() => NotImplemented(nameof(CreateSharedHandle));

    public int OpenSharedHandle() => NotImplemented(nameof(OpenSharedHandle));

    public int OpenSharedHandleByName() => NotImplemented(nameof(OpenSharedHandleByName));

    public int MakeResident() => NotImplemented(nameof(MakeResident));

    public int Evict() => NotImplemented(nameof(Evict));

    public void CreateFence(ulong InitialValue, D3D12_FENCE_FLAGS Flags, Guid* riid, void** ppFence) =>
        ReferenceGpu.Return(new ReferenceFence(this, Gpu, InitialValue), riid, ppFence);

    public int GetDeviceRemovedReason() => Gpu.Removed ? ReferenceDeviceException.DeviceRemoved : 0;
}
