using System.Text;
using Dsl.Backend.DirectML.Interop;

namespace Dsl.Tests.DirectML;

/// <summary>
/// DirectML.h is not in directx-headers-dev, so its layout cannot be compiled in CI; the facts
/// it was compiled to once (DirectMLHeaderFacts) are checked here against every C# DirectML
/// declaration, with the same reflection as the D3D12 layout test. A declaration without a
/// pinned fact fails, so nothing new goes unchecked.
/// </summary>
public class DirectMLFactsTests
{
    [Fact]
    public void Facts_are_for_64_bit_processes()
    {
        IntPtr.Size.ShouldBe(8, "DirectMLHeaderFacts were computed for x86-64");
    }

    [Fact]
    public void Struct_sizes_and_field_offsets_match_DirectML_h()
    {
        var structs = InteropDeclarations.Structs("DML_");
        structs.Count.ShouldBe(61);
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
    public void Enum_values_match_DirectML_h()
    {
        var enums = InteropDeclarations.Enums("DML_");
        enums.Count.ShouldBe(17);
        var mismatches = new StringBuilder();
        foreach (var type in enums)
        {
            foreach (var name in Enum.GetNames(type))
                Compare(mismatches, "enum", $"{type.Name}.{name}", Convert.ToInt64(Enum.Parse(type, name)));
        }
        mismatches.ToString().ShouldBeEmpty();
    }

    [Fact]
    public void The_operator_enum_is_complete()
    {
        // DML_OPERATOR_INVALID .. DML_OPERATOR_UNFOLD (FL 6_4) is 0..177, plus the SCATTER alias.
        Enum.GetNames<DML_OPERATOR_TYPE>().Length.ShouldBe(179);
        Enum.GetValues<DML_OPERATOR_TYPE>().Select(v => (int)v).Distinct().Order().ShouldBe(Enumerable.Range(0, 178));
        DirectMLHeaderFacts.Numbers.Keys.Count(k => k.StartsWith("enum DML_OPERATOR_TYPE.", StringComparison.Ordinal)).ShouldBe(179);
    }

    [Fact]
    public void Every_declared_method_sits_in_the_headers_vtable_slot()
    {
        var interfaces = InteropDeclarations.ComInterfaces("IDML");
        interfaces.Count.ShouldBe(11);
        var mismatches = new StringBuilder();
        foreach (var type in interfaces)
        {
            foreach (var (method, slot) in InteropDeclarations.Slots(type))
                Compare(mismatches, "slot", $"{type.Name}.{method.Name}", slot);
        }
        mismatches.ToString().ShouldBeEmpty();
    }

    [Fact]
    public void Interface_IIDs_match_DirectML_h()
    {
        foreach (var type in InteropDeclarations.ComInterfaces("IDML"))
            type.GUID.ShouldBe(DirectMLHeaderFacts.Iids[type.Name], type.Name);
    }

    [Fact]
    public void Constants_match_DirectML_h()
    {
        var mismatches = new StringBuilder();
        foreach (var field in typeof(DmlConstants).GetFields())
            Compare(mismatches, "const", field.Name, Convert.ToInt64(field.GetValue(null)));
        mismatches.ToString().ShouldBeEmpty();
        typeof(DmlConstants).GetFields().Length.ShouldBe(5);
    }

    [Fact]
    public void The_facts_the_backend_design_relies_on()
    {
        // From shared/DIRECTML-FACTS.md, each confirmed by the compiled header.
        InteropDeclarations.SizeOf(typeof(DML_BUFFER_TENSOR_DESC)).ShouldBe(48);
        OffsetOf<DML_BUFFER_TENSOR_DESC>(nameof(DML_BUFFER_TENSOR_DESC.Sizes)).ShouldBe(16);
        OffsetOf<DML_BUFFER_TENSOR_DESC>(nameof(DML_BUFFER_TENSOR_DESC.TotalTensorSizeInBytes)).ShouldBe(32);
        DmlConstants.DML_MINIMUM_BUFFER_TENSOR_ALIGNMENT.ShouldBe(16u);
        DmlConstants.DML_PERSISTENT_BUFFER_ALIGNMENT.ShouldBe(256u);
        DmlConstants.DML_TEMPORARY_BUFFER_ALIGNMENT.ShouldBe(256u);

        ((int)DML_OPERATOR_TYPE.DML_OPERATOR_GEMM).ShouldBe(54);
        ((int)DML_OPERATOR_TYPE.DML_OPERATOR_CONVOLUTION).ShouldBe(53);
        ((int)DML_OPERATOR_TYPE.DML_OPERATOR_REDUCE).ShouldBe(55);
        ((int)DML_OPERATOR_TYPE.DML_OPERATOR_ACTIVATION_SOFTMAX).ShouldBe(48);
        ((int)DML_OPERATOR_TYPE.DML_OPERATOR_ACTIVATION_RELU).ShouldBe(44);
        ((int)DML_OPERATOR_TYPE.DML_OPERATOR_ACTIVATION_SIGMOID).ShouldBe(47);
        ((int)DML_OPERATOR_TYPE.DML_OPERATOR_GATHER).ShouldBe(67);
        ((int)DML_OPERATOR_TYPE.DML_OPERATOR_TOP_K).ShouldBe(71);
        ((int)DML_OPERATOR_TYPE.DML_OPERATOR_MEAN_VARIANCE_NORMALIZATION).ShouldBe(73);
        ((int)DML_OPERATOR_TYPE.DML_OPERATOR_ELEMENT_WISE_ERF).ShouldBe(81);
        ((int)DML_OPERATOR_TYPE.DML_OPERATOR_CUMULATIVE_SUMMATION).ShouldBe(105);
        ((int)DML_OPERATOR_TYPE.DML_OPERATOR_GATHER_ELEMENTS).ShouldBe(107);
        ((int)DML_OPERATOR_TYPE.DML_OPERATOR_TOP_K1).ShouldBe(112);
        ((int)DML_OPERATOR_TYPE.DML_OPERATOR_MEAN_VARIANCE_NORMALIZATION1).ShouldBe(115);
        ((int)DML_OPERATOR_TYPE.DML_OPERATOR_ACTIVATION_RELU_GRAD).ShouldBe(129);
        ((int)DML_OPERATOR_TYPE.DML_OPERATOR_RANDOM_GENERATOR).ShouldBe(132);
        ((int)DML_OPERATOR_TYPE.DML_OPERATOR_SLICE_GRAD).ShouldBe(135);
        ((int)DML_OPERATOR_TYPE.DML_OPERATOR_ADAM_OPTIMIZER).ShouldBe(136);
        ((int)DML_OPERATOR_TYPE.DML_OPERATOR_BATCH_NORMALIZATION_GRAD).ShouldBe(146);
        ((int)DML_OPERATOR_TYPE.DML_OPERATOR_BATCH_NORMALIZATION_TRAINING).ShouldBe(151);
        ((int)DML_OPERATOR_TYPE.DML_OPERATOR_BATCH_NORMALIZATION_TRAINING_GRAD).ShouldBe(152);
        ((int)DML_OPERATOR_TYPE.DML_OPERATOR_ACTIVATION_GELU).ShouldBe(157);
        ((int)DML_OPERATOR_TYPE.DML_OPERATOR_ACTIVATION_SOFTMAX1).ShouldBe(158);
        ((int)DML_OPERATOR_TYPE.DML_OPERATOR_MULTIHEAD_ATTENTION).ShouldBe(164);

        ((int)DML_FEATURE_LEVEL.DML_FEATURE_LEVEL_2_1).ShouldBe(0x2100);
        ((int)DML_FEATURE.DML_FEATURE_FEATURE_LEVELS).ShouldBe(1);
    }

    [Fact]
    public void Convolution_and_pooling_descriptions_match_DirectML_h()
    {
        // The layouts the convolution lowering writes, spelled out (g++ on DirectML.h, x86-64).
        InteropDeclarations.SizeOf(typeof(DML_CONVOLUTION_OPERATOR_DESC)).ShouldBe(104);
        OffsetOf<DML_CONVOLUTION_OPERATOR_DESC>(nameof(DML_CONVOLUTION_OPERATOR_DESC.Mode)).ShouldBe(32);
        OffsetOf<DML_CONVOLUTION_OPERATOR_DESC>(nameof(DML_CONVOLUTION_OPERATOR_DESC.Direction)).ShouldBe(36);
        OffsetOf<DML_CONVOLUTION_OPERATOR_DESC>(nameof(DML_CONVOLUTION_OPERATOR_DESC.OutputPadding)).ShouldBe(80);
        OffsetOf<DML_CONVOLUTION_OPERATOR_DESC>(nameof(DML_CONVOLUTION_OPERATOR_DESC.GroupCount)).ShouldBe(88);
        OffsetOf<DML_CONVOLUTION_OPERATOR_DESC>(nameof(DML_CONVOLUTION_OPERATOR_DESC.FusedActivation)).ShouldBe(96);
        InteropDeclarations.SizeOf(typeof(DML_AVERAGE_POOLING_OPERATOR_DESC)).ShouldBe(64);
        OffsetOf<DML_AVERAGE_POOLING_OPERATOR_DESC>(nameof(DML_AVERAGE_POOLING_OPERATOR_DESC.IncludePadding)).ShouldBe(56);
        InteropDeclarations.SizeOf(typeof(DML_AVERAGE_POOLING_GRAD_OPERATOR_DESC)).ShouldBe(64);
        OffsetOf<DML_AVERAGE_POOLING_GRAD_OPERATOR_DESC>(nameof(DML_AVERAGE_POOLING_GRAD_OPERATOR_DESC.IncludePadding)).ShouldBe(56);
        InteropDeclarations.SizeOf(typeof(DML_MAX_POOLING2_OPERATOR_DESC)).ShouldBe(72);
        OffsetOf<DML_MAX_POOLING2_OPERATOR_DESC>(nameof(DML_MAX_POOLING2_OPERATOR_DESC.DimensionCount)).ShouldBe(24);
        OffsetOf<DML_MAX_POOLING2_OPERATOR_DESC>(nameof(DML_MAX_POOLING2_OPERATOR_DESC.Dilations)).ShouldBe(64);
        ((int)DML_CONVOLUTION_MODE.DML_CONVOLUTION_MODE_CROSS_CORRELATION).ShouldBe(1);
        ((int)DML_CONVOLUTION_DIRECTION.DML_CONVOLUTION_DIRECTION_BACKWARD).ShouldBe(1);
        ((int)DML_OPERATOR_TYPE.DML_OPERATOR_AVERAGE_POOLING).ShouldBe(56);
        ((int)DML_OPERATOR_TYPE.DML_OPERATOR_MAX_POOLING2).ShouldBe(110);
        ((int)DML_OPERATOR_TYPE.DML_OPERATOR_AVERAGE_POOLING_GRAD).ShouldBe(130);
    }

    private static int OffsetOf<T>(string field) => InteropDeclarations.OffsetOf(typeof(T).GetField(field)!);

    private static void Compare(StringBuilder mismatches, string kind, string name, long managed)
    {
        if (!DirectMLHeaderFacts.Numbers.TryGetValue($"{kind} {name}", out var header))
            mismatches.AppendLine($"{kind} {name}: no pinned fact (compute it from DirectML.h and add it to DirectMLHeaderFacts)");
        else if (header != managed)
            mismatches.AppendLine($"{kind} {name}: C# {managed}, DirectML.h {header}");
    }
}
