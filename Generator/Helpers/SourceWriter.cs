using System;
using System.Text;

namespace Dsl.Generator.Helpers;

/// <summary>A small indented text writer with <c>using (WriteBlock())</c> for braces.</summary>
internal sealed class SourceWriter
{
    readonly StringBuilder text = new();
    int depth;

    public void Line(string line = "")
    {
        if (line.Length > 0) text.Append(' ', depth * 4).Append(line);
        text.Append('\n');
    }

    public IDisposable Block(string? header = null)
    {
        if (header is not null) Line(header);
        Line("{");
        depth++;
        return new Closer(this);
    }

    public IDisposable Indent()
    {
        depth++;
        return new Closer(this, brace: false);
    }

    /// <summary>An empty writer at this one's depth (plus <paramref name="indent"/> levels), for text whose preamble depends on it.</summary>
    public SourceWriter Fork(int indent = 0) => new() { depth = depth + indent };

    /// <summary>Appends the text written to a <see cref="Fork"/>.</summary>
    public void Append(SourceWriter fork) => text.Append(fork.text);

    public bool IsEmpty => text.Length == 0;

    public override string ToString() => text.ToString();

    sealed class Closer(SourceWriter writer, bool brace = true) : IDisposable
    {
        public void Dispose()
        {
            writer.depth--;
            if (brace) writer.Line("}");
        }
    }
}
