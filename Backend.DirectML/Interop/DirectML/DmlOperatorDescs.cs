namespace Dsl.Backend.DirectML.Interop;

// DirectML.h per-operator descriptions used by the graph builder (Lowering/DmlGraphBuilder.cs);
// source in DmlEnums.cs. Layouts pinned by Tests/DirectML/DirectMLFactsTests (computed with g++
// from the header, like the other facts). Every tensor pointer is a DML_TENSOR_DESC*.

internal enum DML_MATRIX_TRANSFORM
{
    DML_MATRIX_TRANSFORM_NONE = 0,
    DML_MATRIX_TRANSFORM_TRANSPOSE = 1,
}

internal unsafe struct DML_ELEMENT_WISE_ADD_OPERATOR_DESC
{
    public DML_TENSOR_DESC* ATensor;
    public DML_TENSOR_DESC* BTensor;
    public DML_TENSOR_DESC* OutputTensor;
}

internal unsafe struct DML_ELEMENT_WISE_SUBTRACT_OPERATOR_DESC
{
    public DML_TENSOR_DESC* ATensor;
    public DML_TENSOR_DESC* BTensor;
    public DML_TENSOR_DESC* OutputTensor;
}

internal unsafe struct DML_ELEMENT_WISE_MULTIPLY_OPERATOR_DESC
{
    public DML_TENSOR_DESC* ATensor;
    public DML_TENSOR_DESC* BTensor;
    public DML_TENSOR_DESC* OutputTensor;
}

internal unsafe struct DML_ELEMENT_WISE_EXP_OPERATOR_DESC
{
    public DML_TENSOR_DESC* InputTensor;
    public DML_TENSOR_DESC* OutputTensor;

    /// <summary>Optional DML_SCALE_BIAS* applied to the input first; null for none.</summary>
    public void* ScaleBias;
}

internal unsafe struct DML_ACTIVATION_RELU_OPERATOR_DESC
{
    public DML_TENSOR_DESC* InputTensor;
    public DML_TENSOR_DESC* OutputTensor;
}

/// <summary>Output = Alpha · T(A) · T(B) + Beta · C over the last two dimensions.</summary>
internal unsafe struct DML_GEMM_OPERATOR_DESC
{
    public DML_TENSOR_DESC* ATensor;
    public DML_TENSOR_DESC* BTensor;

    /// <summary>Optional; null for none.</summary>
    public DML_TENSOR_DESC* CTensor;

    public DML_TENSOR_DESC* OutputTensor;
    public DML_MATRIX_TRANSFORM TransA;
    public DML_MATRIX_TRANSFORM TransB;
    public float Alpha;
    public float Beta;

    /// <summary>Optional DML_OPERATOR_DESC* of a fused activation; null for none.</summary>
    public DML_OPERATOR_DESC* FusedActivation;
}
