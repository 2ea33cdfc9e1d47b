using System.Runtime.InteropServices.Marshalling;
using Dsl.Backend.DirectML.Interop;

namespace Dsl.Tests.DirectML.ReferenceDevice;

/// <summary>
/// An operator initializer: its outputs are the persistent resources of the compiled graphs it
/// initializes (bound with BindOutputs), which it stamps; it also asks for a temporary resource.
/// </summary>
[GeneratedComClass]
internal sealed unsafe partial class ReferenceOperatorInitializer(ReferenceDmlDevice device, ReferenceGpu gpu, ReferenceCompiledGraph[] graphs)
    : ReferenceDmlChild(device, gpu), IDMLOperatorInitializer, IReferenceDispatchable
{
    /// <summary>Temporary bytes an initialization asks for.</summary>
    public const ulong TemporarySize = 64;

    ReferenceCompiledGraph[] graphs = graphs;

    public DML_BINDING_PROPERTIES Properties => new() { RequiredDescriptorCount = (uint)Math.Max(1, graphs.Length), TemporaryResourceSize = TemporarySize };

    public DML_BINDING_PROPERTIES GetBindingProperties() => Properties;

    public void Reset(uint operatorCount, void** operators)
    {
        var next = new ReferenceCompiledGraph[operatorCount];
        for (var i = 0; i < operatorCount; i++)
            next[i] = Gpu.Resolve<ReferenceCompiledGraph>(operators[i], $"IDMLOperatorInitializer::Reset: operator {i}");
        graphs = next;
    }

    public void Validate(ReferenceBinding.Set bindings)
    {
        if (bindings.Inputs.Any(b => b is not null))
            throw Gpu.Fail("RecordDispatch (initializer): no tensor is DML-owned, so no initializer input may be bound.");
        if (bindings.Temporary is null || bindings.Temporary.Size < TemporarySize)
            throw Gpu.Fail($"RecordDispatch (initializer): it needs a temporary resource of {TemporarySize} bytes bound.");
        for (var i = 0; i < graphs.Length; i++)
        {
            var output = bindings.Outputs.ElementAtOrDefault(i);
            if (output is null || output.Size < ReferenceCompiledGraph.PersistentSize)
                throw Gpu.Fail($"RecordDispatch (initializer): output {i} must be operator {i}'s persistent resource of {ReferenceCompiledGraph.PersistentSize} bytes.");
            if (output.Offset % DmlConstants.DML_PERSISTENT_BUFFER_ALIGNMENT != 0)
                throw Gpu.Fail($"RecordDispatch (initializer): a persistent resource offset must be a multiple of {DmlConstants.DML_PERSISTENT_BUFFER_ALIGNMENT}, got {output.Offset}.");
        }
    }

    public void Execute(ReferenceBinding.Set bindings)
    {
        for (var i = 0; i < graphs.Length; i++)
        {
            var output = bindings.Outputs[i]!;
            if (output.Resource.State != D3D12_RESOURCE_STATES.D3D12_RESOURCE_STATE_UNORDERED_ACCESS)
                throw Gpu.Fail($"Initializer dispatch: the persistent resource is in {output.Resource.State}, not UNORDERED_ACCESS.");
            new Span<byte>(output.Data, (int)ReferenceCompiledGraph.PersistentSize).Fill(ReferenceCompiledGraph.Stamp);
            graphs[i].InitializedAt = (output.Resource, output.Offset);
        }
    }
}
