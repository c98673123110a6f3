using ZnDraw.Storage.Tool.Infrastructure;

return await ToolApp.RunAsync(args).ConfigureAwait(false);
