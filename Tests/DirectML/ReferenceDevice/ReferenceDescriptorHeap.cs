using System.Runtime.InteropServices.Marshalling;
using Dsl.Backend.DirectML.Interop;

namespace Dsl.Tests.DirectML.ReferenceDevice;

/// <summary>A descriptor heap: a range of fake CPU and GPU handles, <see cref="IncrementSize"/> apart.</summary>
[GeneratedComClass]
internal sealed unsafe partial class ReferenceDescriptorHeap : ReferenceD3D12Child, ID3D12DescriptorHeap
{
    /// <summary>What GetDescriptorHandleIncrementSize answers for CBV_SRV_UAV heaps.</summary>
    public const uint IncrementSize = 32;

    public ReferenceDescriptorHeap(ReferenceD3D12Device device, ReferenceGpu gpu, D3D12_DESCRIPTOR_HEAP_DESC desc)
        : base(device, gpu)
    {
        Desc = desc;
        Cpu = gpu.ReserveAddresses(desc.NumDescriptors * IncrementSize);
        GpuStart = desc.Flags.HasFlag(D3D12_DESCRIPTOR_HEAP_FLAGS.D3D12_DESCRIPTOR_HEAP_FLAG_SHADER_VISIBLE) ? gpu.ReserveAddresses(desc.NumDescriptors * IncrementSize) : 0;
    }

    /// <summary>The description it was created with.</summary>
    public D3D12_DESCRIPTOR_HEAP_DESC Desc { get; }

    /// <summary>The first CPU handle.</summary>
    public ulong Cpu { get; }

    /// <summary>The first GPU handle (0 when not shader-visible).</summary>
    public ulong GpuStart { get; }

    public D3D12_DESCRIPTOR_HEAP_DESC GetDesc() => Desc;

    public D3D12_CPU_DESCRIPTOR_HANDLE GetCPUDescriptorHandleForHeapStart() => new() { ptr = (nuint)Cpu };

    public D3D12_GPU_DESCRIPTOR_HANDLE GetGPUDescriptorHandleForHeapStart() => new() { ptr = GpuStart };

    /// <summary>True if <paramref name="count"/> descriptors from the CPU and GPU handles lie in this heap, at the same place.</summary>
    public bool Holds(ulong cpu, ulong gpuHandle, uint count) =>
        cpu >= Cpu && (cpu - Cpu) % IncrementSize == 0 && (cpu - Cpu) / IncrementSize + count <= Desc.NumDescriptors
        && GpuStart != 0 && gpuHandle - GpuStart == cpu - Cpu;
}
