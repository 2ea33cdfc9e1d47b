namespace Dsl;

/// <summary>
/// Gradients of parameters collected by generated <c>Backward</c> methods. A parameter used
/// several times (weight sharing, a module called twice) accumulates its contributions.
/// </summary>
public sealed class Gradients
{
    readonly Dictionary<int, Tensor> byId = [];

    /// <summary>Adds a contribution to the gradient of <paramref name="parameter"/> (null adds nothing).</summary>
    public void Accumulate(Tensor parameter, Tensor? gradient)
    {
        if (gradient is null || parameter.Kind != ValueKind.Parameter) return;
        byId[parameter.Id] = byId.TryGetValue(parameter.Id, out var g) ? g + gradient : gradient;
    }

    /// <summary>The gradient of a parameter (zeros if nothing reached it).</summary>
    public Tensor this[Tensor parameter] => byId.TryGetValue(parameter.Id, out var g) ? g : Ops.ZerosLike(parameter);

    /// <summary>True if some gradient reached the parameter.</summary>
    public bool Has(Tensor parameter) => byId.ContainsKey(parameter.Id);
}
