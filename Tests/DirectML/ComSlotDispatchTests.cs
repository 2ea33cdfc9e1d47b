using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using Dsl.Backend.DirectML;

namespace Dsl.Tests.DirectML;

/// <summary>
/// Proves the slot rule the layout tests rely on (see InteropDeclarations) against the COM
/// source generator itself: each declared method of every interop interface is called on a
/// fake native object whose only live slot is the one the rule predicts. It also checks that
/// methods returning a struct by value use the platform's native return convention (the
/// MemberFunction stubs), which is what d3d12.h and DirectML.h declare.
/// </summary>
public class ComSlotDispatchTests
{
    private static readonly IReadOnlyList<Type> Interfaces = InteropDeclarations.ComInterfaces("ID3D12", "IDXCore", "IDML");

    public static TheoryData<string> InterfaceNames() => new(Interfaces.Select(t => t.Name));

    [Fact]
    public void All_interop_interfaces_are_covered()
    {
        // 11 D3D12 + 3 DXCore + 11 DirectML interfaces.
        Interfaces.Count.ShouldBe(25);
    }

    [Theory]
    [MemberData(nameof(InterfaceNames))]
    public unsafe void Each_method_calls_the_slot_the_rule_predicts(string interfaceName)
    {
        // 64-bit x64 conventions are modelled by the fake stubs (struct returns in particular).
        RuntimeInformation.ProcessArchitecture.ShouldBe(Architecture.X64, "the fake native stubs model the x64 calling conventions");
        var type = Interfaces.Single(t => t.Name == interfaceName);
        lock (FakeNativeComObject.KnownIids)
        {
            foreach (var known in Interfaces)
                FakeNativeComObject.KnownIids.Add(known.GUID);
        }

        var wrappers = new StrategyBasedComWrappers();
        foreach (var (method, slot) in InteropDeclarations.Slots(type))
        {
            var returns = FakeNativeComObject.ReturnOf(method.ReturnType, out var size);
            var native = FakeNativeComObject.Create(slot, returns, size);
            var wrapper = wrappers.GetOrCreateObjectForComInstance((nint)native, CreateObjectFlags.UniqueInstance);
            FakeNativeComObject.ResetCounts();

            var result = method.Invoke(wrapper, method.GetParameters().Select(DefaultArgument).ToArray());

            FakeNativeComObject.Counts.ShouldBe((1, 0), $"{type.Name}.{method.Name} predicted at slot {slot}");
            if (returns != FakeNativeComObject.Return.Zero)
            {
                var bytes = BytesOf(result!, size);
                foreach (var (offset, length) in FieldBytes(method.ReturnType, 0))
                {
                    for (var i = offset; i < offset + length; i++)
                        bytes[i].ShouldBe(FakeNativeComObject.PatternByte(i), $"{type.Name}.{method.Name} struct return, byte {i}");
                }
            }
        }
    }

    private static unsafe object? DefaultArgument(ParameterInfo parameter)
    {
        var type = parameter.ParameterType;
        if (type.IsPointer)
            return Pointer.Box(null, type);
        if (type.IsValueType)
            return Activator.CreateInstance(type);
        return null;
    }

    /// <summary>The byte ranges a struct's fields occupy (padding excluded: it is not copied reliably).</summary>
    private static IEnumerable<(int Offset, int Length)> FieldBytes(Type structType, int baseOffset)
    {
        foreach (var field in InteropDeclarations.Fields(structType))
        {
            var offset = baseOffset + InteropDeclarations.OffsetOf(field);
            var type = field.FieldType;
            if (type.IsPointer)
                yield return (offset, IntPtr.Size);
            else if (type.IsEnum)
                yield return (offset, Marshal.SizeOf(Enum.GetUnderlyingType(type)));
            else if (type.IsPrimitive)
                yield return (offset, Marshal.SizeOf(type));
            else
            {
                foreach (var inner in FieldBytes(type, offset))
                    yield return inner;
            }
        }
    }

    private static byte[] BytesOf(object boxedStruct, int size)
    {
        var bytes = new byte[size];
        var handle = GCHandle.Alloc(bytes, GCHandleType.Pinned);
        try
        {
            Marshal.StructureToPtr(boxedStruct, handle.AddrOfPinnedObject(), false);
        }
        finally
        {
            handle.Free();
        }
        return bytes;
    }
}
