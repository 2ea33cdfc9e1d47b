namespace Dsl.Backend.DirectML.Interop;

/// <summary>Feature-level arithmetic and the CheckFeatureSupport query.</summary>
internal static unsafe class DmlFeatureLevels
{
    /// <summary>Every level DirectML.h (FL 6_4 header) defines, ascending.</summary>
    public static readonly DML_FEATURE_LEVEL[] All = Enum.GetValues<DML_FEATURE_LEVEL>();

    /// <summary>0xMm00 → M.m.</summary>
    public static Version ToVersion(DML_FEATURE_LEVEL level) => new(((int)level >> 12) & 0xf, ((int)level >> 8) & 0xf);

    /// <summary>M.m → 0xMm00 (the enum need not name it: a newer DirectML may report a newer level).</summary>
    public static DML_FEATURE_LEVEL FromVersion(Version version) => (DML_FEATURE_LEVEL)((version.Major << 12) | (version.Minor << 8));

    /// <summary>The header's spelling, e.g. DML_FEATURE_LEVEL_5_1.</summary>
    public static string Name(DML_FEATURE_LEVEL level)
    {
        var version = ToVersion(level);
        return $"DML_FEATURE_LEVEL_{version.Major}_{version.Minor}";
    }

    /// <summary>
    /// The highest level among <see cref="All"/> that <paramref name="device"/> supports
    /// (DML_FEATURE_FEATURE_LEVELS query, available from DirectML 1.1 / FL 2_0 on, which
    /// DMLCreateDevice1's presence already guarantees).
    /// </summary>
    public static DML_FEATURE_LEVEL QueryMax(IDMLDevice device)
    {
        fixed (DML_FEATURE_LEVEL* levels = All)
        {
            var query = new DML_FEATURE_QUERY_FEATURE_LEVELS { RequestedFeatureLevelCount = (uint)All.Length, RequestedFeatureLevels = levels };
            var data = default(DML_FEATURE_DATA_FEATURE_LEVELS);
            device.CheckFeatureSupport(DML_FEATURE.DML_FEATURE_FEATURE_LEVELS, (uint)sizeof(DML_FEATURE_QUERY_FEATURE_LEVELS), &query, (uint)sizeof(DML_FEATURE_DATA_FEATURE_LEVELS), &data);
            return data.MaxSupportedFeatureLevel;
        }
    }
}
