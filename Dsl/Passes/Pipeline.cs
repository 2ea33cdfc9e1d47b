namespace Dsl.Passes;

/// <summary>The standard pass pipeline run before compilation.</summary>
public static class Pipeline
{
    /// <summary>Constant folding, then CSE, then dead-code elimination.</summary>
    public static Graph Optimize(Graph graph) =>
        DeadCodeElimination.Run(CommonSubexpressionElimination.Run(ConstantFolding.Run(graph)));
}
