using System.Diagnostics;
using Dsl.Backend.DirectML;
using Dsl.Backend.DirectML.Interop;

namespace Dsl.Tests.DirectML;

/// <summary>
/// The availability probe: fast and explicit where there is no DirectX 12 (this CI machine is
/// plain Linux), and a message for every way of failing that names the missing piece and the fix.
/// </summary>
public class DirectMLAvailabilityTests
{
    [Fact]
    public void The_probe_answers_in_well_under_a_second_with_the_reason()
    {
        DirectMLAvailability.Probe(); // the first call pays for JIT; time the answer itself
        var clock = Stopwatch.StartNew();
        var result = DirectMLAvailability.Probe();
        clock.Stop();

        if (HostPlatformDetection.Current() == HostPlatform.Linux)
        {
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(1));
            result.IsAvailable.ShouldBeFalse();
            result.Device.ShouldBeNull();
            result.UnavailableReason.ShouldNotBeNull();
            result.UnavailableReason.ShouldContain("libd3d12.so not found");
            result.UnavailableReason.ShouldContain("not WSL 2");
            result.UnavailableReason.ShouldContain("--device cpu");
        }
        else
        {
            // On Windows or WSL the answer depends on the machine; it must be one or the other.
            (result.IsAvailable ^ result.UnavailableReason is not null).ShouldBeTrue(result.ToString());
        }
    }

    [Fact]
    public void The_first_probe_is_fast_too_where_there_is_no_DirectX()
    {
        if (HostPlatformDetection.Current() != HostPlatform.Linux)
            return; // timing of a real device creation is the driver's business
        var clock = Stopwatch.StartNew();
        DirectMLAvailability.Probe(HostPlatform.Linux);
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void EnsureAvailable_throws_the_public_exception_with_the_same_message()
    {
        var result = DirectMLAvailability.Probe(HostPlatform.Other);
        var error = Should.Throw<DirectMLUnavailableException>(() => result.EnsureAvailable());
        error.Message.ShouldBe(result.UnavailableReason);
        error.Message.ShouldContain("only on Windows 10/11 and in WSL 2");
        error.Message.ShouldContain("--device cpu");
    }

    [Theory]
    [InlineData(nameof(NativeComponent.D3D12), nameof(HostPlatform.Linux), new[] { "libd3d12.so not found", "Linux outside WSL has no DirectX 12 driver" })]
    [InlineData(nameof(NativeComponent.D3D12), nameof(HostPlatform.Wsl), new[] { "libd3d12.so not found", "/usr/lib/wsl/lib", "wsl --update", "WDDM GPU driver" })]
    [InlineData(nameof(NativeComponent.D3D12), nameof(HostPlatform.Windows), new[] { "d3d12.dll not found", "Windows 10 or later" })]
    [InlineData(nameof(NativeComponent.DXCore), nameof(HostPlatform.Wsl), new[] { "libdxcore.so not found", "wsl --update" })]
    [InlineData(nameof(NativeComponent.DirectML), nameof(HostPlatform.Wsl), new[] { "libdirectml.so not found", "Microsoft.AI.DirectML", "bin/x64-linux/libdirectml.so", "LD_LIBRARY_PATH", "DSL_DIRECTML_LIBRARY" })]
    [InlineData(nameof(NativeComponent.DirectML), nameof(HostPlatform.Windows), new[] { "DirectML.dll not found", "Microsoft.AI.DirectML", "bin/x64-win", "DSL_DIRECTML_LIBRARY" })]
    public void A_missing_library_message_names_the_file_and_the_remedy(string componentName, string platformName, string[] expected)
    {
        var component = Enum.Parse<NativeComponent>(componentName);
        var platform = Enum.Parse<HostPlatform>(platformName);
        var tried = NativeLibraries.Candidates(component, platform);
        var message = UnavailabilityMessages.MissingLibrary(component, platform, tried);
        foreach (var text in expected)
            message.ShouldContain(text);
        message.ShouldContain("--device cpu");
        foreach (var candidate in tried)
            message.ShouldContain(candidate); // the searched locations are listed
    }

    [Fact]
    public void Linux_searches_the_loader_path_then_the_WSL_driver_folder()
    {
        if (Environment.GetEnvironmentVariable(NativeLibraries.DirectMLPathVariable) is { Length: > 0 })
            return; // an explicit path is prepended; covered by the message test
        NativeLibraries.Candidates(NativeComponent.DirectML, HostPlatform.Wsl).ShouldBe(["libdirectml.so", "/usr/lib/wsl/lib/libdirectml.so"]);
        NativeLibraries.Candidates(NativeComponent.D3D12, HostPlatform.Linux).ShouldBe(["libd3d12.so", "/usr/lib/wsl/lib/libd3d12.so"]);
        NativeLibraries.Candidates(NativeComponent.DXCore, HostPlatform.Windows).ShouldBe(["dxcore.dll"]);
    }

    [Fact]
    public void A_too_old_DirectML_names_both_levels_and_the_redistributable()
    {
        var message = UnavailabilityMessages.FeatureLevelTooLow("Some GPU", DML_FEATURE_LEVEL.DML_FEATURE_LEVEL_2_0, DirectMLAvailability.MinimumLevel, "DirectML.dll");
        message.ShouldContain("DML_FEATURE_LEVEL_2_0");
        message.ShouldContain("DML_FEATURE_LEVEL_3_0");
        message.ShouldContain("Microsoft.AI.DirectML");
        message.ShouldContain("Some GPU");
    }

    [Fact]
    public void The_minimum_feature_level_is_3_0()
    {
        DirectMLAvailability.MinimumFeatureLevel.ShouldBe(new Version(3, 0));
        DmlFeatureLevels.FromVersion(DirectMLAvailability.MinimumFeatureLevel).ShouldBe(DML_FEATURE_LEVEL.DML_FEATURE_LEVEL_3_0);
    }

    [Fact]
    public void Feature_levels_convert_to_versions_both_ways()
    {
        foreach (var level in DmlFeatureLevels.All)
            DmlFeatureLevels.FromVersion(DmlFeatureLevels.ToVersion(level)).ShouldBe(level);
        DmlFeatureLevels.ToVersion(DML_FEATURE_LEVEL.DML_FEATURE_LEVEL_5_1).ShouldBe(new Version(5, 1));
        DmlFeatureLevels.Name(DML_FEATURE_LEVEL.DML_FEATURE_LEVEL_6_4).ShouldBe("DML_FEATURE_LEVEL_6_4");
        DmlFeatureLevels.All.ShouldBe(DmlFeatureLevels.All.OrderBy(l => l).ToArray());
    }
}
