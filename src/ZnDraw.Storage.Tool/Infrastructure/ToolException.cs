namespace ZnDraw.Storage.Tool.Infrastructure;

/// <summary>An error the tool reports as it is: one line, <see cref="Exception.Message"/>, and <see cref="ExitCode"/>.</summary>
internal sealed class ToolException : Exception
{
    public ToolException()
        : this(ExitCodes.Failure, "error")
    {
    }

    public ToolException(string message)
        : this(ExitCodes.Failure, message)
    {
    }

    public ToolException(string message, Exception innerException)
        : base(message, innerException)
    {
        ExitCode = ExitCodes.Failure;
    }

    public ToolException(int exitCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ExitCode = exitCode;
    }

    /// <summary>The process exit code (<see cref="ExitCodes"/>).</summary>
    public int ExitCode { get; }
}
