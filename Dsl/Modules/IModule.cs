namespace Dsl;

/// <summary>What a generated Forward recorded for its Backward (each model's own <c>Tape</c> class).</summary>
public interface ITape;

/// <summary>
/// A model with one Tensor input and one Tensor output (implemented by generated code), so that a
/// block, a backbone or a head can be passed around and differentiated without knowing its type.
/// </summary>
public interface IModule : IModel
{
    /// <summary>The generated Forward: the output, and on <paramref name="tape"/> what <see cref="Backward"/> needs.</summary>
    Tensor Forward(Tensor input, out ITape tape);

    /// <summary>
    /// The generated reverse sweep over <paramref name="tape"/> (from this model's <see cref="Forward"/>):
    /// accumulates parameter gradients into <paramref name="grads"/> and returns the input's gradient.
    /// </summary>
    Tensor? Backward(ITape tape, Tensor? dOutput, Gradients grads);
}
