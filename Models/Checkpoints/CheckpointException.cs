namespace Dsl.Models.Checkpoints;

/// <summary>A checkpoint file that cannot be read: names the file, the problem and what to do.</summary>
public sealed class CheckpointException(string path, string problem, Exception? inner = null)
    : Exception($"Checkpoint '{path}' {problem}", inner)
{
    /// <summary>The file.</summary>
    public string Path { get; } = path;
}
