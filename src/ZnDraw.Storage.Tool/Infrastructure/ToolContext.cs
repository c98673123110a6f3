using System.CommandLine;
using Microsoft.Extensions.Configuration;

namespace ZnDraw.Storage.Tool.Infrastructure;

/// <summary>What a command's action gets: its parse result, the run's configuration, the output, and the store opener.</summary>
internal sealed class ToolContext
{
    private IConfiguration? _configuration;

    public ToolContext(ParseResult parse, ToolOutput output, CancellationToken cancellationToken)
    {
        Parse = parse;
        Output = output;
        CancellationToken = cancellationToken;
    }

    /// <summary>The parse result (read a command's own options and arguments with <c>GetValue</c>).</summary>
    public ParseResult Parse { get; }

    /// <summary>Tables or JSON on standard output; notes on standard error.</summary>
    public ToolOutput Output { get; }

    /// <summary>Cancelled by Ctrl+C.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>--verbose.</summary>
    public bool Verbose => Parse.GetValue(GlobalOptions.Verbose);

    /// <summary>The settings file, then the environment, then the flags (built on first use).</summary>
    public IConfiguration Configuration => _configuration ??= ToolConfiguration.Build(Parse);

    /// <summary>The value of an option or argument of the command.</summary>
    public T? Get<T>(Option<T> option) => Parse.GetValue(option);

    /// <inheritdoc cref="Get{T}(Option{T})"/>
    public T? Get<T>(Argument<T> argument) => Parse.GetValue(argument);

    /// <summary>Opens the library as configured (see <see cref="ToolStore"/>); dispose it when done.</summary>
    public Task<ToolStore> OpenStoreAsync(StoreNeeds needs) => ToolStore.OpenAsync(Configuration, needs, Verbose, CancellationToken);
}
