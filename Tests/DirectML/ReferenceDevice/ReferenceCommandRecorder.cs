using System.Runtime.InteropServices.Marshalling;
using Dsl.Backend.DirectML.Interop;

namespace Dsl.Tests.DirectML.ReferenceDevice;

/// <summary>
/// Records a DirectML dispatch into a reference command list: checks that the table belongs to
/// the dispatchable, that its descriptors are in the heap set on the list and that the bindings
/// satisfy the dispatchable, then snapshots the bindings for execution on the queue.
/// </summary>
[GeneratedComClass]
internal sealed unsafe partial class ReferenceCommandRecorder(ReferenceDmlDevice device, ReferenceGpu gpu) : ReferenceDmlChild(device, gpu), IDMLCommandRecorder
{
    public void RecordDispatch(ID3D12CommandList commandList, IDMLDispatchable dispatchable, IDMLBindingTable bindings)
    {
        if (Gpu.Own<ReferenceCommandList>(commandList) is not { } list)
        {
            Gpu.Errors.Add("RecordDispatch: the command list is not one of this device's.");
            return;
        }
        list.Record("RecordDispatch", () =>
        {
            if (Gpu.Own<IReferenceDispatchable>(dispatchable) is not { } target || Gpu.Own<ReferenceBindingTable>(bindings) is not { } table)
                throw Gpu.Fail("RecordDispatch: the dispatchable or binding table is not one of this device's.");
            if (table.Error is not null)
                throw Gpu.Fail(table.Error);
            if (table.Dispatchable != target)
                throw Gpu.Fail("RecordDispatch: the binding table was reset for another dispatchable.");
            var (cpu, gpuHandle, count) = table.Descriptors;
            if (list.DescriptorHeap is null || !list.DescriptorHeap.Holds(cpu, gpuHandle, count))
                throw Gpu.Fail("RecordDispatch: the binding table's descriptor heap is not set on the command list (SetDescriptorHeaps).");
            var snapshot = table.Snapshot();
            target.Validate(snapshot);
            return () => target.Execute(snapshot);
        });
    }
}
