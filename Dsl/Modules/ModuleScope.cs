namespace Dsl;

/// <summary>
/// The graph name scope of a submodule call, opened by generated <c>Forward</c> and <c>Backward</c>
/// code so that the nodes a submodule appends (its gradient's too), and shape errors, carry its
/// registered dotted name (<c>blocks.3.attn.qkv: matmul …</c>).
/// </summary>
public static class ModuleScope
{
    /// <summary>
    /// Enters the scope of <paramref name="child"/> called from <paramref name="parent"/>, in the
    /// graph of <paramref name="input"/>: the child's registered name relative to the parent's
    /// (<c>blocks.3</c>), or <paramref name="field"/> when either was not registered. Dispose to leave it.
    /// A null <paramref name="input"/> (a backward call whose incoming gradients are all null) opens no scope.
    /// </summary>
    public static IDisposable Enter(IModel parent, IModel child, string field, Tensor? input)
    {
        if (input is null) return NoScope.Instance;
        string? parentName = Registry.NameOf(parent), childName = Registry.NameOf(child);
        string name = field;
        if (parentName is not null && childName is not null)
        {
            if (parentName.Length == 0) name = childName;
            else if (childName.StartsWith(parentName + ".", StringComparison.Ordinal)) name = childName[(parentName.Length + 1)..];
        }
        return name.Length == 0 ? NoScope.Instance : input.Graph.Scope(name);
    }

    sealed class NoScope : IDisposable
    {
        public static readonly NoScope Instance = new();
        public void Dispose() { }
    }
}
