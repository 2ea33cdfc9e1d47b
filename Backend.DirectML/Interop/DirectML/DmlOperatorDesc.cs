namespace Dsl.Backend.DirectML.Interop;

// DirectML.h (source in DmlEnums.cs); layout pinned by Tests/DirectML/DirectMLFactsTests.
// The per-operator DML_*_OPERATOR_DESC structs the lowering uses are in DmlOperatorDescs.cs.

internal unsafe struct DML_OPERATOR_DESC
{
    public DML_OPERATOR_TYPE Type;

    /// <summary>Points to the DML_*_OPERATOR_DESC that matches <see cref="Type"/>.</summary>
    public void* Desc;
}
