using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using Dsl.Backend.DirectML;

namespace Dsl.Tests.DirectML;

/// <summary>
/// The C# side of the layout checks, read by reflection from Backend.DirectML's interop
/// namespace (and the reference device's own declarations in it): struct sizes and field offsets, enum values, interface IIDs and vtable slots.
/// </summary>
/// <remarks>
/// Slot rule (what the COM source generator does, proven by ComSlotDispatchTests): IUnknown
/// takes slots 0–2; an interface's own abstract methods follow all slots of its base
/// interface, in declaration order. Declaration order is read from metadata tokens, which
/// Roslyn assigns in source order; the generator's own additions to an interface are not
/// abstract and so are not counted.
/// </remarks>
internal static class InteropDeclarations
{
    public const int IUnknownSlots = 3;
    private const string InteropNamespace = "Dsl.Backend.DirectML.Interop";

    // The backend's declarations and the few only the reference device reads (ReferenceOnlyDescs.cs).
    private static readonly Type[] AllTypes = typeof(DirectMLAvailability).Assembly.GetTypes()
        .Concat(typeof(InteropDeclarations).Assembly.GetTypes())
        .Where(t => t.Namespace == InteropNamespace && !t.IsNested)
        .ToArray();

    /// <summary>Interop structs whose name starts with one of the prefixes (native names are kept).</summary>
    public static IReadOnlyList<Type> Structs(params string[] prefixes) =>
        AllTypes.Where(t => t.IsValueType && !t.IsEnum && HasPrefix(t.Name, prefixes)).OrderBy(t => t.Name).ToArray();

    public static IReadOnlyList<Type> Enums(params string[] prefixes) =>
        AllTypes.Where(t => t.IsEnum && HasPrefix(t.Name, prefixes)).OrderBy(t => t.Name).ToArray();

    public static IReadOnlyList<Type> ComInterfaces(params string[] prefixes) =>
        AllTypes.Where(t => t.IsInterface && t.GetCustomAttribute<GeneratedComInterfaceAttribute>() is not null && HasPrefix(t.Name, prefixes))
            .OrderBy(t => t.Name).ToArray();

    /// <summary>Instance fields in declaration order.</summary>
    public static IReadOnlyList<FieldInfo> Fields(Type structType) =>
        structType.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).OrderBy(f => f.MetadataToken).ToArray();

    public static int SizeOf(Type structType) => Marshal.SizeOf(structType);

    public static int OffsetOf(FieldInfo field) => (int)Marshal.OffsetOf(field.DeclaringType!, field.Name);

    /// <summary>The methods written on <paramref name="comInterface"/> itself, in declaration order.</summary>
    public static IReadOnlyList<MethodInfo> DeclaredMethods(Type comInterface) =>
        comInterface.GetMethods(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
            .Where(m => m.IsAbstract && !m.IsSpecialName)
            .OrderBy(m => m.MetadataToken)
            .ToArray();

    /// <summary>The [GeneratedComInterface] interface this one derives from directly, or null (IUnknown).</summary>
    public static Type? BaseComInterface(Type comInterface)
    {
        var bases = comInterface.GetInterfaces().Where(i => i.GetCustomAttribute<GeneratedComInterfaceAttribute>() is not null).ToArray();
        // GetInterfaces lists the whole chain; the direct base is the one that derives from all the others.
        return bases.SingleOrDefault(b => bases.All(other => other == b || b.GetInterfaces().Contains(other)));
    }

    /// <summary>Total vtable slots of an interface, IUnknown's included.</summary>
    public static int SlotCount(Type comInterface)
    {
        var baseInterface = BaseComInterface(comInterface);
        return (baseInterface is null ? IUnknownSlots : SlotCount(baseInterface)) + DeclaredMethods(comInterface).Count;
    }

    /// <summary>Every method declared on the interface with the slot the rule gives it.</summary>
    public static IReadOnlyList<(MethodInfo Method, int Slot)> Slots(Type comInterface)
    {
        var baseInterface = BaseComInterface(comInterface);
        var first = baseInterface is null ? IUnknownSlots : SlotCount(baseInterface);
        return DeclaredMethods(comInterface).Select((m, i) => (m, first + i)).ToArray();
    }

    private static bool HasPrefix(string name, string[] prefixes) => prefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));
}
