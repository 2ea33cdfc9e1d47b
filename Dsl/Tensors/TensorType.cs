namespace Dsl;

/// <summary>Static type of a symbolic tensor: shape and element type.</summary>
public sealed record TensorType(Shape Shape, DType DType)
{
    /// <summary>Formats as f32[2,3].</summary>
    public override string ToString() => DType.ShortName() + Shape;
}
