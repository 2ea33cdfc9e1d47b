namespace Dsl.Backend.DirectML;

/// <summary>
/// Thrown when the DirectML backend is asked for but this machine cannot run it. The message
/// names what is missing and how to get it (or which other device to use).
/// </summary>
public sealed class DirectMLUnavailableException : Exception
{
    /// <summary>Creates the exception with the explanation of what is missing.</summary>
    public DirectMLUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the explanation and the failure behind it.</summary>
    public DirectMLUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
