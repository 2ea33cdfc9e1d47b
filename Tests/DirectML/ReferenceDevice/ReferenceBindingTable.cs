using System.Runtime.InteropServices.Marshalling;
using Dsl.Backend.DirectML.Interop;

namespace Dsl.Tests.DirectML.ReferenceDevice;

/// <summary>
/// A binding table: reads each DML_BINDING_DESC / DML_BUFFER_BINDING as DirectML would and checks
/// what it rejects (a null or non-DEFAULT buffer, one without unordered access, offsets off
/// DML_MINIMUM_BUFFER_TENSOR_ALIGNMENT or the temporary/persistent alignment, ranges past the
/// buffer, too many bindings, descriptors outside a shader-visible heap). Bind methods cannot
/// fail (void), so the first error is kept and the dispatch recording it fails.
/// </summary>
[GeneratedComClass]
internal sealed unsafe partial class ReferenceBindingTable(ReferenceDmlDevice device, ReferenceGpu gpu) : ReferenceDmlChild(device, gpu), IDMLBindingTable
{
    ReferenceBinding?[] inputs = [];
    ReferenceBinding?[] outputs = [];
    ReferenceBinding? temporary;
    ReferenceBinding? persistent;

    /// <summary>What the table is for.</summary>
    public IReferenceDispatchable? Dispatchable { get; private set; }

    /// <summary>The descriptor range (CPU handle, GPU handle, count).</summary>
    public (ulong Cpu, ulong Gpu, uint Count) Descriptors { get; private set; }

    /// <summary>The first binding error since the last Reset, if any.</summary>
    public string? Error { get; private set; }

    /// <summary>A copy of the current bindings, for a recorded dispatch.</summary>
    public ReferenceBinding.Set Snapshot() => new([.. inputs], [.. outputs], temporary, persistent);

    public void BindInputs(uint bindingCount, DML_BINDING_DESC* bindings) => Guard("BindInputs", () => inputs = Read(bindingCount, bindings, "input", DmlConstants.DML_MINIMUM_BUFFER_TENSOR_ALIGNMENT));

    public void BindOutputs(uint bindingCount, DML_BINDING_DESC* bindings) => Guard("BindOutputs", () =>
        outputs = Read(bindingCount, bindings, "output", Dispatchable is ReferenceOperatorInitializer ? DmlConstants.DML_PERSISTENT_BUFFER_ALIGNMENT : DmlConstants.DML_MINIMUM_BUFFER_TENSOR_ALIGNMENT));

    public void BindTemporaryResource(DML_BINDING_DESC* binding) => Guard("BindTemporaryResource", () =>
        temporary = One(binding, "temporary resource", DmlConstants.DML_TEMPORARY_BUFFER_ALIGNMENT));

    public void BindPersistentResource(DML_BINDING_DESC* binding) => Guard("BindPersistentResource", () =>
        persistent = One(binding, "persistent resource", DmlConstants.DML_PERSISTENT_BUFFER_ALIGNMENT));

    public void Reset(DML_BINDING_TABLE_DESC* desc)
    {
        if (desc == null || desc->Dispatchable == null)
            throw Gpu.Fail("IDMLBindingTable::Reset: a table needs a dispatchable.");
        var dispatchable = Gpu.Resolve<IReferenceDispatchable>(desc->Dispatchable, "the binding table's dispatchable");
        if (desc->SizeInDescriptors < dispatchable.Properties.RequiredDescriptorCount)
            throw Gpu.Fail($"The binding table has {desc->SizeInDescriptors} descriptors; the dispatchable needs {dispatchable.Properties.RequiredDescriptorCount}.");
        var cpu = (ulong)desc->CPUDescriptorHandle.ptr;
        var gpuHandle = desc->GPUDescriptorHandle.ptr;
        if (!Gpu.Heaps.Any(h => h.Holds(cpu, gpuHandle, desc->SizeInDescriptors)))
            throw Gpu.Fail($"The binding table's {desc->SizeInDescriptors} descriptors are not in one shader-visible heap of this device at matching CPU and GPU handles.");
        Dispatchable = dispatchable;
        Descriptors = (cpu, gpuHandle, desc->SizeInDescriptors);
        inputs = [];
        outputs = [];
        temporary = null;
        persistent = null;
        Error = null;
    }

    void Guard(string method, Action bind)
    {
        try
        {
            if (Dispatchable is null)
                throw Gpu.Fail($"IDMLBindingTable::{method} before the table was given a dispatchable.");
            bind();
        }
        catch (ReferenceDeviceException e)
        {
            Error ??= $"IDMLBindingTable::{method}: {e.Message}";
        }
    }

    ReferenceBinding?[] Read(uint count, DML_BINDING_DESC* bindings, string what, uint alignment)
    {
        if (count > 0 && bindings == null)
            throw Gpu.Fail($"{count} {what} bindings from a null array.");
        var result = new ReferenceBinding?[count];
        for (var i = 0; i < count; i++)
            result[i] = One(&bindings[i], $"{what} {i}", alignment);
        return result;
    }

    ReferenceBinding? One(DML_BINDING_DESC* binding, string what, uint alignment)
    {
        if (binding == null || binding->Type == DML_BINDING_TYPE.DML_BINDING_TYPE_NONE)
            return null;
        if (binding->Type != DML_BINDING_TYPE.DML_BINDING_TYPE_BUFFER)
            throw Gpu.Fail($"{what}: binding type {binding->Type} is not supported by the reference device.");
        var buffer = (DML_BUFFER_BINDING*)binding->Desc;
        if (buffer == null)
            throw Gpu.Fail($"{what}: a BUFFER binding without its DML_BUFFER_BINDING.");
        var resource = Gpu.Resolve<ReferenceResource>(buffer->Buffer, $"{what}: the buffer");
        if (resource.HeapType != D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_DEFAULT)
            throw Gpu.Fail($"{what}: DirectML binds DEFAULT heap buffers only, not {resource.HeapType}.");
        if (!resource.Desc.Flags.HasFlag(D3D12_RESOURCE_FLAGS.D3D12_RESOURCE_FLAG_ALLOW_UNORDERED_ACCESS))
            throw Gpu.Fail($"{what}: the buffer was created without ALLOW_UNORDERED_ACCESS.");
        if (buffer->Offset % alignment != 0)
            throw Gpu.Fail($"{what}: offset {buffer->Offset} is not a multiple of {alignment}.");
        if (buffer->SizeInBytes == 0)
            throw Gpu.Fail($"{what}: an empty range.");
        resource.CheckRange(buffer->Offset, buffer->SizeInBytes, what);
        return new ReferenceBinding(resource, buffer->Offset, buffer->SizeInBytes);
    }
}
