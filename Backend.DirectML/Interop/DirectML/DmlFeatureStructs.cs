namespace Dsl.Backend.DirectML.Interop;

// DirectML.h feature-query structs (source in DmlEnums.cs); layouts pinned by
// Tests/DirectML/DirectMLFactsTests.

internal unsafe struct DML_FEATURE_QUERY_FEATURE_LEVELS
{
    public uint RequestedFeatureLevelCount;
    public DML_FEATURE_LEVEL* RequestedFeatureLevels;
}

internal struct DML_FEATURE_DATA_FEATURE_LEVELS
{
    /// <summary>The highest of the requested levels the device supports.</summary>
    public DML_FEATURE_LEVEL MaxSupportedFeatureLevel;
}

