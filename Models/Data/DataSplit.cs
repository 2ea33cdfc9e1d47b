namespace Dsl.Models.Data;

/// <summary>Which part of a data set to read.</summary>
public enum DataSplit
{
    /// <summary>The training images.</summary>
    Train,

    /// <summary>The test images.</summary>
    Test,

    /// <summary>The unlabelled images (STL-10 only).</summary>
    Unlabeled,
}
