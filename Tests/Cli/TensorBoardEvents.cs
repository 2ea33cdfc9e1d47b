using System.Buffers.Binary;
using System.Text;

namespace Dsl.Tests.Cli;

/// <summary>
/// Reads the scalar events of TensorBoard event files (TFRecord framing: u64 length, u32 CRC, an Event protobuf,
/// u32 CRC), enough to list which steps were logged for a tag.
/// </summary>
static class TensorBoardEvents
{
    /// <summary>The steps of every scalar with <paramref name="tag"/> in the event files under <paramref name="folder"/>, in file order.</summary>
    public static List<long> Steps(string folder, string tag)
    {
        var steps = new List<long>();
        if (!Directory.Exists(folder)) return steps;
        foreach (var file in Directory.EnumerateFiles(folder, "events.out.tfevents.*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var bytes = File.ReadAllBytes(file);
            for (int at = 0; at + 12 <= bytes.Length;)
            {
                int length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at)));
                var record = bytes.AsSpan(at + 12, length);
                at += 12 + length + 4;
                long step = 0;
                bool tagged = false;
                foreach (var (field, value, payload) in Fields(record))
                {
                    if (field == 2) step = (long)value;
                    // Event.summary (5) → Summary.value (1) → Value.tag (1)
                    if (field == 5)
                        foreach (var (f1, _, v1) in Fields(payload))
                            if (f1 == 1)
                                foreach (var (f2, _, t) in Fields(v1))
                                    if (f2 == 1 && Encoding.UTF8.GetString(t) == tag) tagged = true;
                }
                if (tagged) steps.Add(step);
            }
        }
        return steps;
    }

    /// <summary>The top-level fields of a protobuf message: number, varint/fixed value, and the bytes of length-delimited ones.</summary>
    static List<(int Field, ulong Value, byte[] Payload)> Fields(ReadOnlySpan<byte> message)
    {
        var fields = new List<(int, ulong, byte[])>();
        int at = 0;
        while (at < message.Length)
        {
            ulong key = Varint(message, ref at);
            int field = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0: fields.Add((field, Varint(message, ref at), [])); break;
                case 1: fields.Add((field, BinaryPrimitives.ReadUInt64LittleEndian(message[at..]), [])); at += 8; break;
                case 5: fields.Add((field, BinaryPrimitives.ReadUInt32LittleEndian(message[at..]), [])); at += 4; break;
                case 2:
                    int n = (int)Varint(message, ref at);
                    fields.Add((field, 0, message.Slice(at, n).ToArray()));
                    at += n;
                    break;
                default: throw new InvalidDataException($"Unexpected protobuf wire type {wire}.");
            }
        }
        return fields;
    }

    static ulong Varint(ReadOnlySpan<byte> s, ref int at)
    {
        ulong v = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = s[at++];
            v |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return v;
        }
    }
}
