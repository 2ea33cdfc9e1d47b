using System.Runtime.InteropServices;

namespace Dsl.Tests.DirectML;

/// <summary>
/// A native COM object made of a vtable of recording stubs, to watch which slot a
/// [GeneratedComInterface] call lands in. Every slot past IUnknown's counts a miss except one,
/// the "hit" slot, whose stub counts a hit and produces a recognisable return value.
/// </summary>
/// <remarks>
/// Objects are allocated in native memory and never freed: the wrappers release them from the
/// finalizer thread at an unknown time, and a few hundred bytes per test are not worth a
/// use-after-free risk.
/// </remarks>
internal static unsafe class FakeNativeComObject
{
    public const int VtableLength = 64;
    private const int ENoInterface = unchecked((int)0x80004002);

    [ThreadStatic] private static int hits;
    [ThreadStatic] private static int misses;

    // How many bytes a buffer hit writes: the size of the struct the called method returns.
    [ThreadStatic] private static int currentBufferSize;

    /// <summary>How the hit stub returns, matching the native ABI of the method it stands in for.</summary>
    public enum Return
    {
        /// <summary>HRESULT, integers, void: 0 in RAX.</summary>
        Zero,

        /// <summary>A struct of up to 8 bytes in RAX (SysV): the pattern's first 8 bytes.</summary>
        PatternInRax,

        /// <summary>A struct of 9–16 bytes in RAX:RDX (SysV): the pattern's first 16 bytes.</summary>
        PatternInRaxRdx,

        /// <summary>A struct through a hidden buffer: the first argument (SysV) or the one after <c>this</c> (Windows member function).</summary>
        PatternInBuffer,
    }

    public static (int Hits, int Misses) Counts => (hits, misses);

    /// <summary>The IIDs QueryInterface answers (with the object itself); others get E_NOINTERFACE.</summary>
    public static HashSet<Guid> KnownIids { get; } = [];

    /// <summary>The byte pattern a hit writes or returns: byte i is 0x11 + i.</summary>
    public static byte PatternByte(int index) => (byte)(0x11 + index);

    public static void ResetCounts() => (hits, misses) = (0, 0);

    /// <summary>A new object (refcount 1) whose slot <paramref name="hitSlot"/> is the hit stub.</summary>
    public static void* Create(int hitSlot, Return hitReturn, int bufferSize)
    {
        var vtable = (nint*)NativeMemory.AllocZeroed(VtableLength, (nuint)sizeof(nint));
        vtable[0] = (nint)(delegate* unmanaged<void*, Guid*, void**, int>)&QueryInterface;
        vtable[1] = (nint)(delegate* unmanaged<void*, uint>)&AddRef;
        vtable[2] = (nint)(delegate* unmanaged<void*, uint>)&Release;
        for (var slot = 3; slot < VtableLength; slot++)
            vtable[slot] = (nint)(delegate* unmanaged<nint, nint, nint>)&Miss;
        vtable[hitSlot] = hitReturn switch
        {
            Return.Zero => (nint)(delegate* unmanaged<nint, nint, nint>)&HitZero,
            Return.PatternInRax => (nint)(delegate* unmanaged<nint, nint, nint>)&HitRax,
            Return.PatternInRaxRdx => (nint)(delegate* unmanaged<nint, nint, Pattern16>)&HitRaxRdx,
            _ => OperatingSystem.IsWindows()
                ? (nint)(delegate* unmanaged<nint, nint, nint>)&HitBufferSecond
                : (nint)(delegate* unmanaged<nint, nint, nint>)&HitBufferFirst,
        };

        // Object: vtable pointer, refcount.
        var self = (nint*)NativeMemory.AllocZeroed(2, (nuint)sizeof(nint));
        self[0] = (nint)vtable;
        self[1] = 1;
        currentBufferSize = bufferSize;
        return self;
    }

    [UnmanagedCallersOnly]
    private static int QueryInterface(void* self, Guid* iid, void** result)
    {
        if (*iid == new Guid("00000000-0000-0000-c000-000000000046") || KnownIids.Contains(*iid))
        {
            // UnmanagedCallersOnly methods cannot be called from managed code, so no AddRef(self).
            Interlocked.Increment(ref *RefCount(self));
            *result = self;
            return 0;
        }
        *result = null;
        return ENoInterface;
    }

    [UnmanagedCallersOnly]
    private static uint AddRef(void* self) => (uint)Interlocked.Increment(ref *RefCount(self));

    [UnmanagedCallersOnly]
    private static uint Release(void* self) => (uint)Interlocked.Decrement(ref *RefCount(self));

    private static long* RefCount(void* self) => (long*)((nint*)self + 1);

    [UnmanagedCallersOnly]
    private static nint Miss(nint first, nint second)
    {
        misses++;
        return 0;
    }

    [UnmanagedCallersOnly]
    private static nint HitZero(nint first, nint second)
    {
        hits++;
        return 0;
    }

    [UnmanagedCallersOnly]
    private static nint HitRax(nint first, nint second)
    {
        hits++;
        return (nint)ReadPattern(0);
    }

    [UnmanagedCallersOnly]
    private static Pattern16 HitRaxRdx(nint first, nint second)
    {
        hits++;
        return new Pattern16 { Low = ReadPattern(0), High = ReadPattern(8) };
    }

    [UnmanagedCallersOnly]
    private static nint HitBufferFirst(nint buffer, nint self) => FillBuffer(buffer);

    [UnmanagedCallersOnly]
    private static nint HitBufferSecond(nint self, nint buffer) => FillBuffer(buffer);

    private static nint FillBuffer(nint buffer)
    {
        hits++;
        for (var i = 0; i < currentBufferSize; i++)
            ((byte*)buffer)[i] = PatternByte(i);
        // The ABI returns the buffer's address.
        return buffer;
    }

    private static long ReadPattern(int start)
    {
        long value = 0;
        for (var i = 7; i >= 0; i--)
            value = (value << 8) | PatternByte(start + i);
        return value;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Pattern16
    {
        public long Low;
        public long High;
    }

    /// <summary>Whether the method's return value goes back as a struct, and how (x64 conventions).</summary>
    public static Return ReturnOf(Type returnType, out int size)
    {
        size = 0;
        if (returnType == typeof(void) || returnType.IsPrimitive || returnType.IsEnum || returnType.IsPointer)
            return Return.Zero;
        size = Marshal.SizeOf(returnType);
        if (OperatingSystem.IsWindows())
            return Return.PatternInBuffer;
        return size <= 8 ? Return.PatternInRax : size <= 16 ? Return.PatternInRaxRdx : Return.PatternInBuffer;
    }
}
