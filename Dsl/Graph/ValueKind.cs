namespace Dsl;

/// <summary>Where a graph value comes from and how long it lives.</summary>
public enum ValueKind
{
    /// <summary>Fed by the caller on every run (a data batch, a seed).</summary>
    Input,
    /// <summary>Trainable weight, persistent across runs.</summary>
    Parameter,
    /// <summary>Non-trainable persistent state (BatchNorm running statistics).</summary>
    Buffer,
    /// <summary>Optimizer state (moments, step counter), persistent across runs.</summary>
    State,
    /// <summary>Output of a node.</summary>
    Intermediate,
}
