namespace Dsl.Backend.DirectML.Interop;

// DirectML.h normalization (and GELU) descriptions used by Lowering/DmlGraphBuilder.Normalization.cs; layouts
// pinned by Tests/DirectML/DirectMLFactsTests (g++ on the header, like the other facts). BOOL is a
// 4-byte int.

/// <summary>
/// (x - mean) / √(variance + ε) · scale + bias over <see cref="Axes"/>; scale and bias optional
/// (null), broadcast by strides; <see cref="NormalizeVariance"/> 0 only subtracts the mean.
/// </summary>
internal unsafe struct DML_MEAN_VARIANCE_NORMALIZATION1_OPERATOR_DESC
{
    public DML_TENSOR_DESC* InputTensor;
    public DML_TENSOR_DESC* ScaleTensor;
    public DML_TENSOR_DESC* BiasTensor;
    public DML_TENSOR_DESC* OutputTensor;
    public uint AxisCount;
    public uint* Axes;
    public int NormalizeVariance;
    public float Epsilon;
    public DML_OPERATOR_DESC* FusedActivation;
}

/// <summary>
/// (x - mean) / √(variance + ε) · scale + bias with the statistics given as inputs (inference
/// form); <see cref="Spatial"/> 1: one statistic per channel (dimension 1).
/// </summary>
internal unsafe struct DML_BATCH_NORMALIZATION_OPERATOR_DESC
{
    public DML_TENSOR_DESC* InputTensor;
    public DML_TENSOR_DESC* MeanTensor;
    public DML_TENSOR_DESC* VarianceTensor;
    public DML_TENSOR_DESC* ScaleTensor;
    public DML_TENSOR_DESC* BiasTensor;
    public DML_TENSOR_DESC* OutputTensor;
    public int Spatial;
    public float Epsilon;
    public DML_OPERATOR_DESC* FusedActivation;
}

/// <summary>
/// Training batch normalization's backward (feature level 4_1): dx, dscale and dbias from x, dy and
/// the batch statistics, which broadcast over the dimensions where their size is 1.
/// </summary>
internal unsafe struct DML_BATCH_NORMALIZATION_TRAINING_GRAD_OPERATOR_DESC
{
    public DML_TENSOR_DESC* InputTensor;
    public DML_TENSOR_DESC* InputGradientTensor;
    public DML_TENSOR_DESC* MeanTensor;
    public DML_TENSOR_DESC* VarianceTensor;
    public DML_TENSOR_DESC* ScaleTensor;
    public DML_TENSOR_DESC* OutputGradientTensor;
    public DML_TENSOR_DESC* OutputScaleGradientTensor;
    public DML_TENSOR_DESC* OutputBiasGradientTensor;
    public float Epsilon;
}

/// <summary>GELU, exact: x · ½(1 + erf(x / √2)); from feature level 5_1.</summary>
internal unsafe struct DML_ACTIVATION_GELU_OPERATOR_DESC
{
    public DML_TENSOR_DESC* InputTensor;
    public DML_TENSOR_DESC* OutputTensor;
}
