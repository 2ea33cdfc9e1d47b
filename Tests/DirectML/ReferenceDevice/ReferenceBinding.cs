using Dsl.Backend.DirectML.Interop;

namespace Dsl.Tests.DirectML.ReferenceDevice;

/// <summary>A buffer range bound in a binding table, read from a DML_BUFFER_BINDING.</summary>
internal sealed unsafe record ReferenceBinding(ReferenceResource Resource, ulong Offset, ulong Size)
{
    /// <summary>The bound bytes.</summary>
    public byte* Data => Resource.Data + Offset;

    /// <summary>What a binding table holds for a dispatch.</summary>
    public sealed record Set(ReferenceBinding?[] Inputs, ReferenceBinding?[] Outputs, ReferenceBinding? Temporary, ReferenceBinding? Persistent);
}

/// <summary>A compiled graph or an initializer: what a binding table targets and a recorder dispatches.</summary>
internal interface IReferenceDispatchable
{
    /// <summary>What GetBindingProperties answers.</summary>
    DML_BINDING_PROPERTIES Properties { get; }

    /// <summary>Checks the bindings at record time; throws what DirectML would reject.</summary>
    void Validate(ReferenceBinding.Set bindings);

    /// <summary>Runs on the queue.</summary>
    void Execute(ReferenceBinding.Set bindings);
}
