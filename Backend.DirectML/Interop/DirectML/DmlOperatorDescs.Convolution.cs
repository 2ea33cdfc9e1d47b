namespace Dsl.Backend.DirectML.Interop;

// DirectML.h descriptions of the convolution and pooling operators used by
// Lowering/DmlGraphBuilder.Convolution.cs, in the header's field order. Layouts pinned by
// Tests/DirectML/DirectMLFactsTests (computed with g++ from the header). Every tensor pointer is a
// DML_TENSOR_DESC*; every UINT* array has DimensionCount entries (the spatial dimensions).

internal enum DML_CONVOLUTION_MODE
{
    DML_CONVOLUTION_MODE_CONVOLUTION = 0,
    DML_CONVOLUTION_MODE_CROSS_CORRELATION = 1,
}

internal enum DML_CONVOLUTION_DIRECTION
{
    DML_CONVOLUTION_DIRECTION_FORWARD = 0,

    /// <summary>Transposed convolution (the adjoint of the forward one).</summary>
    DML_CONVOLUTION_DIRECTION_BACKWARD = 1,
}

/// <summary>Convolution of InputTensor [N, C, spatial…] with FilterTensor, forward or backward (transposed).</summary>
internal unsafe struct DML_CONVOLUTION_OPERATOR_DESC
{
    public DML_TENSOR_DESC* InputTensor;
    public DML_TENSOR_DESC* FilterTensor;

    /// <summary>Optional [1, OutputChannels, 1, 1]; null for none.</summary>
    public DML_TENSOR_DESC* BiasTensor;

    public DML_TENSOR_DESC* OutputTensor;
    public DML_CONVOLUTION_MODE Mode;
    public DML_CONVOLUTION_DIRECTION Direction;
    public uint DimensionCount;
    public uint* Strides;
    public uint* Dilations;
    public uint* StartPadding;
    public uint* EndPadding;

    /// <summary>Extra output rows and columns of a backward convolution (zeros forward).</summary>
    public uint* OutputPadding;

    public uint GroupCount;

    /// <summary>Optional DML_OPERATOR_DESC* of a fused activation; null for none.</summary>
    public DML_OPERATOR_DESC* FusedActivation;
}

internal unsafe struct DML_AVERAGE_POOLING_OPERATOR_DESC
{
    public DML_TENSOR_DESC* InputTensor;
    public DML_TENSOR_DESC* OutputTensor;
    public uint DimensionCount;
    public uint* Strides;
    public uint* WindowSize;
    public uint* StartPadding;
    public uint* EndPadding;

    /// <summary>A Win32 BOOL (4 bytes): nonzero divides by the whole window, padding included.</summary>
    public int IncludePadding;
}

/// <summary>The adjoint of average pooling: InputGradientTensor has the pooled sizes, OutputGradientTensor the input's.</summary>
internal unsafe struct DML_AVERAGE_POOLING_GRAD_OPERATOR_DESC
{
    public DML_TENSOR_DESC* InputGradientTensor;
    public DML_TENSOR_DESC* OutputGradientTensor;
    public uint DimensionCount;
    public uint* Strides;
    public uint* WindowSize;
    public uint* StartPadding;
    public uint* EndPadding;

    /// <summary>A Win32 BOOL (4 bytes), as in <see cref="DML_AVERAGE_POOLING_OPERATOR_DESC.IncludePadding"/>.</summary>
    public int IncludePadding;
}

internal unsafe struct DML_MAX_POOLING2_OPERATOR_DESC
{
    public DML_TENSOR_DESC* InputTensor;
    public DML_TENSOR_DESC* OutputTensor;

    /// <summary>Optional (UINT32 or UINT64): flat indices into the whole input tensor, not per plane; null for none.</summary>
    public DML_TENSOR_DESC* OutputIndicesTensor;

    public uint DimensionCount;
    public uint* Strides;
    public uint* WindowSize;
    public uint* StartPadding;
    public uint* EndPadding;
    public uint* Dilations;
}
