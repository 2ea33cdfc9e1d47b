using System.Text;

namespace Dsl.Tests.DirectML;

/// <summary>
/// Proves the hand-written D3D12 and DXCore interop against the real headers: every struct
/// size and field offset, enum value, IID and vtable slot the C# side declares is compared
/// with what gcc/g++ compute from directx-headers-dev (see NativeLayoutProbe). Needs
/// apt-get + dpkg (or the package installed) and gcc/g++: without them the tests fail with
/// what to install, never skip.
/// </summary>
public class D3D12LayoutTests : IClassFixture<D3D12LayoutTests.Probe>
{
    private readonly NativeLayoutProbe native;

    public D3D12LayoutTests(Probe probe) => native = probe.Native;

    /// <summary>Obtains the headers and runs the probe once for all tests in the class.</summary>
    public sealed class Probe
    {
        private readonly Lazy<NativeLayoutProbe> native = new(() => NativeLayoutProbe.Run(DirectXHeaders.Root));

        internal NativeLayoutProbe Native => native.Value;
    }

    [Fact]
    public void The_probe_reads_the_headers_as_documented()
    {
        // Known values (DIRECTML-FACTS.md): if these fail the probe is wrong, not the interop.
        native.Get("slot", "ID3D12Device.CreateCommandQueue").ShouldBe(8);
        native.Get("slot", "ID3D12Device.CreateCommittedResource").ShouldBe(27);
        native.Get("size", "D3D12_RESOURCE_DESC").ShouldBe(56);
        native.Get("slots", "ID3D12Device").ShouldBe(44);
    }

    [Fact]
    public void Struct_sizes_and_field_offsets_match_d3d12_h()
    {
        var structs = InteropDeclarations.Structs("D3D12_", "DXGI_");
        structs.Count.ShouldBeGreaterThanOrEqualTo(12);
        var mismatches = new StringBuilder();
        foreach (var type in structs)
        {
            Compare(mismatches, "size", type.Name, InteropDeclarations.SizeOf(type));
            foreach (var field in InteropDeclarations.Fields(type))
                Compare(mismatches, "offset", $"{type.Name}.{field.Name}", InteropDeclarations.OffsetOf(field));
        }
        mismatches.ToString().ShouldBeEmpty();
    }

    [Fact]
    public void Enum_values_match_the_headers()
    {
        var enums = InteropDeclarations.Enums("D3D12_", "D3D_", "DXGI_", "DXCore");
        enums.Count.ShouldBeGreaterThanOrEqualTo(19);
        var mismatches = new StringBuilder();
        foreach (var type in enums)
        {
            foreach (var name in Enum.GetNames(type))
                Compare(mismatches, "enum", $"{type.Name}.{name}", Convert.ToInt64(Enum.Parse(type, name)));
        }
        mismatches.ToString().ShouldBeEmpty();
    }

    [Fact]
    public void Every_declared_method_sits_in_the_headers_vtable_slot()
    {
        var interfaces = InteropDeclarations.ComInterfaces("ID3D12", "IDXCore");
        interfaces.Count.ShouldBe(14);
        var mismatches = new StringBuilder();
        var checkedMethods = 0;
        foreach (var type in interfaces)
        {
            foreach (var (method, slot) in InteropDeclarations.Slots(type))
            {
                Compare(mismatches, "slot", $"{type.Name}.{method.Name}", slot);
                checkedMethods++;
            }
        }
        mismatches.ToString().ShouldBeEmpty();
        checkedMethods.ShouldBeGreaterThan(60);
    }

    [Fact]
    public void No_interface_declares_more_slots_than_the_header_has()
    {
        foreach (var type in InteropDeclarations.ComInterfaces("ID3D12"))
            InteropDeclarations.SlotCount(type).ShouldBeLessThanOrEqualTo((int)native.Get("slots", type.Name)!.Value, type.Name);
    }

    [Fact]
    public void Interface_IIDs_and_adapter_attributes_match_the_headers()
    {
        var mismatches = new StringBuilder();
        foreach (var type in InteropDeclarations.ComInterfaces("ID3D12", "IDXCore"))
            CompareGuid(mismatches, type.Name, type.GUID);
        foreach (var field in typeof(Dsl.Backend.DirectML.Interop.DXCoreAdapterAttributes).GetFields())
            CompareGuid(mismatches, field.Name, (Guid)field.GetValue(null)!);
        mismatches.ToString().ShouldBeEmpty();
    }

    private void Compare(StringBuilder mismatches, string kind, string name, long managed)
    {
        var header = native.Get(kind, name);
        if (header is null)
            mismatches.AppendLine($"{kind} {name}: the probe printed nothing");
        else if (header != managed)
            mismatches.AppendLine($"{kind} {name}: C# {managed}, header {header}");
    }

    private void CompareGuid(StringBuilder mismatches, string name, Guid managed)
    {
        var header = native.GetGuid(name);
        if (header != managed)
            mismatches.AppendLine($"IID {name}: C# {managed}, header {header?.ToString() ?? "(not printed)"}");
    }
}
