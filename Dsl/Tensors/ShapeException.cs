namespace Dsl;

/// <summary>
/// Thrown when a graph is built with incompatible shapes or types. The message names the model
/// scope, the op and the shapes involved.
/// </summary>
public sealed class ShapeException : Exception
{
    /// <summary>Creates the exception with a full message.</summary>
    public ShapeException(string message) : base(message) { }
}
