using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace Dsl.Backend.DirectML.Interop;

// d3d12.h; slots checked by Tests/DirectML/D3D12LayoutTests (CreateCommandQueue 8,
// CreateCommittedResource 27, CreateFence 36). Methods the backend does not call are
// declared as parameterless placeholders so that later slots line up; never call them.

[GeneratedComInterface]
[Guid("189819f1-1db6-4b57-be54-1821339b85f7")]
internal unsafe partial interface ID3D12Device : ID3D12Object
{
    [PreserveSig] uint GetNodeCount();
    void CreateCommandQueue(D3D12_COMMAND_QUEUE_DESC* pDesc, Guid* riid, void** ppCommandQueue);
    void CreateCommandAllocator(D3D12_COMMAND_LIST_TYPE type, Guid* riid, void** ppCommandAllocator);
    [PreserveSig] int CreateGraphicsPipelineState();
    [PreserveSig] int CreateComputePipelineState();

    /// <summary><paramref name="pInitialState"/> is an ID3D12PipelineState*; DirectML needs none (null).</summary>
    void CreateCommandList(uint nodeMask, D3D12_COMMAND_LIST_TYPE type, ID3D12CommandAllocator pCommandAllocator, void* pInitialState, Guid* riid, void** ppCommandList);

    [PreserveSig] int CheckFeatureSupport(int Feature, void* pFeatureSupportData, uint FeatureSupportDataSize);
    void CreateDescriptorHeap(D3D12_DESCRIPTOR_HEAP_DESC* pDescriptorHeapDesc, Guid* riid, void** ppvHeap);
    [PreserveSig] uint GetDescriptorHandleIncrementSize(D3D12_DESCRIPTOR_HEAP_TYPE DescriptorHeapType);
    [PreserveSig] int CreateRootSignature();
    [PreserveSig] void CreateConstantBufferView();
    [PreserveSig] void CreateShaderResourceView();
    [PreserveSig] void CreateUnorderedAccessView();
    [PreserveSig] void CreateRenderTargetView();
    [PreserveSig] void CreateDepthStencilView();
    [PreserveSig] void CreateSampler();
    [PreserveSig] void CopyDescriptors();
    [PreserveSig] void CopyDescriptorsSimple();
    [PreserveSig] void GetResourceAllocationInfo();
    [PreserveSig] void GetCustomHeapProperties();

    /// <summary><paramref name="pOptimizedClearValue"/> is a D3D12_CLEAR_VALUE*, null for buffers.</summary>
    void CreateCommittedResource(D3D12_HEAP_PROPERTIES* pHeapProperties, D3D12_HEAP_FLAGS HeapFlags, D3D12_RESOURCE_DESC* pDesc, D3D12_RESOURCE_STATES InitialResourceState, void* pOptimizedClearValue, Guid* riidResource, void** ppvResource);

    [PreserveSig] int CreateHeap();
    [PreserveSig] int CreatePlacedResource();
    [PreserveSig] int CreateReservedResource();
    [PreserveSig] int CreateSharedHandle();
    [PreserveSig] int OpenSharedHandle();
    [PreserveSig] int OpenSharedHandleByName();
    [PreserveSig] int MakeResident();
    [PreserveSig] int Evict();
    void CreateFence(ulong InitialValue, D3D12_FENCE_FLAGS Flags, Guid* riid, void** ppFence);

    /// <summary>The HRESULT is the answer (why the device was lost), not a call failure.</summary>
    [PreserveSig] int GetDeviceRemovedReason();
}
