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

internal unsafe struct DML_ELEMENT_WISE_MULTIPLY_OPERATOR_DESC
{
    public DML_TENSOR_DESC* ATensor;
    public DML_TENSOR_DESC* BTensor;
    public DML_TENSOR_DESC* OutputTensor;
}

internal unsafe struct DML_ACTIVATION_RELU_OPERATOR_DESC
{
    public DML_TENSOR_DESC* InputTensor;
    public DML_TENSOR_DESC* OutputTensor;
}

/// <summary>ReLU's gradient (feature level 3_0): OutputGradient = Input &gt; 0 ? InputGradient : 0, all three of one size.</summary>
internal unsafe struct DML_ACTIVATION_RELU_GRAD_OPERATOR_DESC
{
    public DML_TENSOR_DESC* InputTensor;
    public DML_TENSOR_DESC* InputGradientTensor;
    public DML_TENSOR_DESC* OutputGradientTensor;
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

/// <summary>Applied to an element-wise operator's input first: x · Scale + Bias.</summary>
internal struct DML_SCALE_BIAS
{
    public float Scale;
    public float Bias;
}

internal enum DML_REDUCE_FUNCTION
{
    DML_REDUCE_FUNCTION_ARGMAX = 0,
    DML_REDUCE_FUNCTION_ARGMIN = 1,
    DML_REDUCE_FUNCTION_AVERAGE = 2,
    DML_REDUCE_FUNCTION_L1 = 3,
    DML_REDUCE_FUNCTION_L2 = 4,
    DML_REDUCE_FUNCTION_LOG_SUM = 5,
    DML_REDUCE_FUNCTION_LOG_SUM_EXP = 6,
    DML_REDUCE_FUNCTION_MAX = 7,
    DML_REDUCE_FUNCTION_MIN = 8,
    DML_REDUCE_FUNCTION_MULTIPLY = 9,
    DML_REDUCE_FUNCTION_SUM = 10,
    DML_REDUCE_FUNCTION_SUM_SQUARE = 11,
}

/// <summary>Reduces the input over Axes; the output keeps every dimension, reduced ones of size 1.</summary>
internal unsafe struct DML_REDUCE_OPERATOR_DESC
{
    public DML_REDUCE_FUNCTION Function;
    public DML_TENSOR_DESC* InputTensor;
    public DML_TENSOR_DESC* OutputTensor;
    public uint AxisCount;
    public uint* Axes;
}

internal unsafe struct DML_ELEMENT_WISE_IDENTITY_OPERATOR_DESC
{
    public DML_TENSOR_DESC* InputTensor;
    public DML_TENSOR_DESC* OutputTensor;

    /// <summary>Optional; null for none.</summary>
    public DML_SCALE_BIAS* ScaleBias;
}

/// <summary>Softmax over the last dimension; the tensors' effective rank (leading 1s excluded) must be ≤ 2.</summary>
internal unsafe struct DML_ACTIVATION_SOFTMAX_OPERATOR_DESC
{
    public DML_TENSOR_DESC* InputTensor;
    public DML_TENSOR_DESC* OutputTensor;
}

/// <summary>A strided window of the input: per dimension an offset, a window size and a stride (output size = ⌈size / |stride|⌉).</summary>
internal unsafe struct DML_SLICE1_OPERATOR_DESC
{
    public DML_TENSOR_DESC* InputTensor;
    public DML_TENSOR_DESC* OutputTensor;
    public uint DimensionCount;
    public uint* InputWindowOffsets;
    public uint* InputWindowSizes;
    public int* InputWindowStrides;
}

/// <summary>Concatenation along <see cref="Axis"/>; <see cref="InputTensors"/> is an array of descriptions (not of pointers).</summary>
internal unsafe struct DML_JOIN_OPERATOR_DESC
{
    public uint InputCount;
    public DML_TENSOR_DESC* InputTensors;
    public DML_TENSOR_DESC* OutputTensor;
    public uint Axis;
}

/// <summary>1 where A &gt; B else 0; the output is an integer tensor (UINT8 here).</summary>
internal unsafe struct DML_ELEMENT_WISE_LOGICAL_GREATER_THAN_OPERATOR_DESC
{
    public DML_TENSOR_DESC* ATensor;
    public DML_TENSOR_DESC* BTensor;
    public DML_TENSOR_DESC* OutputTensor;
}

/// <summary>Converts each element to the output tensor's data type.</summary>
internal unsafe struct DML_CAST_OPERATOR_DESC
{
    public DML_TENSOR_DESC* InputTensor;
    public DML_TENSOR_DESC* OutputTensor;
}

/// <summary>Gathers whole slices of the input along <see cref="Axis"/> at the indices (the last <see cref="IndexDimensions"/> dimensions of the indices tensor).</summary>
internal unsafe struct DML_GATHER_OPERATOR_DESC
{
    public DML_TENSOR_DESC* InputTensor;
    public DML_TENSOR_DESC* IndicesTensor;
    public DML_TENSOR_DESC* OutputTensor;
    public uint Axis;
    public uint IndexDimensions;
}

/// <summary>Output[i] = Input[i with the axis coordinate replaced by Indices[i]]; output sizes are the indices'.</summary>
internal unsafe struct DML_GATHER_ELEMENTS_OPERATOR_DESC
{
    public DML_TENSOR_DESC* InputTensor;
    public DML_TENSOR_DESC* IndicesTensor;
    public DML_TENSOR_DESC* OutputTensor;
    public uint Axis;
}

/// <summary>Output = (x · Scale + Bias) ^ <see cref="Exponent"/>, element-wise.</summary>
internal unsafe struct DML_ELEMENT_WISE_CONSTANT_POW_OPERATOR_DESC
{
    public DML_TENSOR_DESC* InputTensor;
    public DML_TENSOR_DESC* OutputTensor;

    /// <summary>Optional; null for none.</summary>
    public DML_SCALE_BIAS* ScaleBias;

    public float Exponent;
}

/// <summary>One scalar of any tensor data type (8 bytes, 8-aligned); the graph builder writes <see cref="Float32"/>.</summary>
[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit, Size = 8)]
internal struct DML_SCALAR_UNION
{
    [System.Runtime.InteropServices.FieldOffset(0)] public ulong UInt64;
    [System.Runtime.InteropServices.FieldOffset(0)] public float Float32;
}

/// <summary>Fills the output with <see cref="Value"/>, read as <see cref="ValueDataType"/>; an operator with no inputs.</summary>
internal unsafe struct DML_FILL_VALUE_CONSTANT_OPERATOR_DESC
{
    public DML_TENSOR_DESC* OutputTensor;
    public DML_TENSOR_DATA_TYPE ValueDataType;
    public DML_SCALAR_UNION Value;
}

/// <summary>SLICE1's gradient: the output gradient is zero except the window, which receives the input gradient.</summary>
internal unsafe struct DML_SLICE_GRAD_OPERATOR_DESC
{
    public DML_TENSOR_DESC* InputGradientTensor;
    public DML_TENSOR_DESC* OutputGradientTensor;
    public uint DimensionCount;
    public uint* InputWindowOffsets;
    public uint* InputWindowSizes;
    public int* InputWindowStrides;
}

/// <summary>Output = Condition ? A : B element-wise; the condition UINT8 at feature level 3_0.</summary>
internal unsafe struct DML_ELEMENT_WISE_IF_OPERATOR_DESC
{
    public DML_TENSOR_DESC* ConditionTensor;
    public DML_TENSOR_DESC* ATensor;
    public DML_TENSOR_DESC* BTensor;
    public DML_TENSOR_DESC* OutputTensor;
}
