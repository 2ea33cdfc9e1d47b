namespace Dsl.Backend.DirectML.Interop;

// DirectML.h operator descriptions for the indexing and random lowerings
// (Lowering/DmlGraphBuilder.Indexing.cs, .Random.cs); source in DmlEnums.cs. Layouts pinned by
// Tests/DirectML/DirectMLFactsTests like the others.

/// <summary>Which end TOP_K1 selects from: the smallest K in increasing order, or the largest K in decreasing order.</summary>
internal enum DML_AXIS_DIRECTION
{
    DML_AXIS_DIRECTION_INCREASING = 0,
    DML_AXIS_DIRECTION_DECREASING = 1,
}

/// <summary>RANDOM_GENERATOR's algorithm; Philox 4x32-10 is the only one.</summary>
internal enum DML_RANDOM_GENERATOR_TYPE
{
    DML_RANDOM_GENERATOR_TYPE_PHILOX_4X32_10 = 0,
}

/// <summary>The K smallest or largest elements along an axis: values and UINT32 indices (ties in ascending index order).</summary>
internal unsafe struct DML_TOP_K1_OPERATOR_DESC
{
    public DML_TENSOR_DESC* InputTensor;
    public DML_TENSOR_DESC* OutputValueTensor;
    public DML_TENSOR_DESC* OutputIndexTensor;
    public uint Axis;
    public uint K;
    public DML_AXIS_DIRECTION AxisDirection;
}

/// <summary>One-hot encoding along an axis: the ValuesTensor's element 0 off, element 1 on.</summary>
internal unsafe struct DML_ONE_HOT_OPERATOR_DESC
{
    public DML_TENSOR_DESC* IndicesTensor;
    public DML_TENSOR_DESC* ValuesTensor;
    public DML_TENSOR_DESC* OutputTensor;
    public uint Axis;
}

/// <summary>Pseudo-random UINT32 bits from a {1,1,1,6} UINT32 state (128-bit counter, 64-bit key); optionally the advanced state.</summary>
internal unsafe struct DML_RANDOM_GENERATOR_OPERATOR_DESC
{
    public DML_TENSOR_DESC* InputStateTensor;
    public DML_TENSOR_DESC* OutputTensor;
    public DML_TENSOR_DESC* OutputStateTensor;
    public DML_RANDOM_GENERATOR_TYPE Type;
}

/// <summary>Fills the output with ValueStart + i · ValueDelta (i the element's packed index); no inputs.</summary>
internal unsafe struct DML_FILL_VALUE_SEQUENCE_OPERATOR_DESC
{
    public DML_TENSOR_DESC* OutputTensor;
    public DML_TENSOR_DATA_TYPE ValueDataType;
    public DML_SCALAR_UNION ValueStart;
    public DML_SCALAR_UNION ValueDelta;
}

/// <summary>clamp(x · scale + bias, Min, Max).</summary>
internal unsafe struct DML_ELEMENT_WISE_CLIP_OPERATOR_DESC
{
    public DML_TENSOR_DESC* InputTensor;
    public DML_TENSOR_DESC* OutputTensor;
    public DML_SCALE_BIAS* ScaleBias;
    public float Min;
    public float Max;
}

