namespace Dsl.Backend.DirectML.Interop;

// Read from native descriptions only, never assigned in C#.
#pragma warning disable CS0649

// DirectML.h structs only the reference device reads: the backend writes these operators through
// a description of the same layout (e.g. SUBTRACT through DML_ELEMENT_WISE_ADD_OPERATOR_DESC) and
// never queries tensor data type support. Layouts pinned by DirectMLFactsTests like the backend's.

internal unsafe struct DML_ELEMENT_WISE_SUBTRACT_OPERATOR_DESC
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

internal unsafe struct DML_ELEMENT_WISE_DIVIDE_OPERATOR_DESC
{
    public DML_TENSOR_DESC* ATensor;
    public DML_TENSOR_DESC* BTensor;
    public DML_TENSOR_DESC* OutputTensor;
}

internal unsafe struct DML_ELEMENT_WISE_MAX_OPERATOR_DESC
{
    public DML_TENSOR_DESC* ATensor;
    public DML_TENSOR_DESC* BTensor;
    public DML_TENSOR_DESC* OutputTensor;
}

internal unsafe struct DML_ELEMENT_WISE_MIN_OPERATOR_DESC
{
    public DML_TENSOR_DESC* ATensor;
    public DML_TENSOR_DESC* BTensor;
    public DML_TENSOR_DESC* OutputTensor;
}

internal unsafe struct DML_ELEMENT_WISE_SIGN_OPERATOR_DESC
{
    public DML_TENSOR_DESC* InputTensor;
    public DML_TENSOR_DESC* OutputTensor;
}

internal unsafe struct DML_ACTIVATION_SIGMOID_OPERATOR_DESC
{
    public DML_TENSOR_DESC* InputTensor;
    public DML_TENSOR_DESC* OutputTensor;
}

/// <summary>Log-softmax over the last dimension; the tensors' effective rank (leading 1s excluded) must be ≤ 2.</summary>
internal unsafe struct DML_ACTIVATION_LOG_SOFTMAX_OPERATOR_DESC
{
    public DML_TENSOR_DESC* InputTensor;
    public DML_TENSOR_DESC* OutputTensor;
}

/// <summary>1 where A == B else 0; the output is an integer tensor (UINT8 here).</summary>
internal unsafe struct DML_ELEMENT_WISE_LOGICAL_EQUALS_OPERATOR_DESC
{
    public DML_TENSOR_DESC* ATensor;
    public DML_TENSOR_DESC* BTensor;
    public DML_TENSOR_DESC* OutputTensor;
}

/// <summary>cos(x · scale + bias).</summary>
internal unsafe struct DML_ELEMENT_WISE_COS_OPERATOR_DESC
{
    public DML_TENSOR_DESC* InputTensor;
    public DML_TENSOR_DESC* OutputTensor;
    public DML_SCALE_BIAS* ScaleBias;
}
internal struct DML_FEATURE_QUERY_TENSOR_DATA_TYPE_SUPPORT
{
    public DML_TENSOR_DATA_TYPE DataType;
}

internal struct DML_FEATURE_DATA_TENSOR_DATA_TYPE_SUPPORT
{
    /// <summary>A Win32 BOOL (4 bytes).</summary>
    public int IsSupported;
}
