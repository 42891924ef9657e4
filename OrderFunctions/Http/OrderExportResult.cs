using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using OrderFunctions.Orders;
using OrderFunctions.Storage;

namespace OrderFunctions.Http;

/// <summary>
/// Writes an open export to the response as it reads it: the headers (type, file name, snapshot id) first, then each
/// row as soon as it is read, through a fixed-size buffer, so memory stays the same whatever the number of rows. A
/// failure after the first byte cannot change the status any more: the response is aborted, so the client sees a
/// broken transfer instead of a file that looks complete.
/// </summary>
public sealed partial class OrderExportResult(IOrderExport export, string format, DateTime startedUtc,
    ILogger logger) : IResult, IStatusCodeHttpResult
{
    private const int BufferChars = 16 * 1024;

    public int? StatusCode => StatusCodes.Status200OK;

    /// <summary>The file name offered to the browser: orders-20261206T163500Z.csv (the snapshot's time, UTC).</summary>
    public static string FileName(DateTime startedUtc, string format) =>
        $"orders-{startedUtc.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture)}.{format}";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        await using var _ = export;
        var response = httpContext.Response;
        var cancellationToken = httpContext.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = format == ExportFormat.Csv ? ExportFormat.CsvMediaType : ExportFormat.NdjsonMediaType;
        response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileName = FileName(startedUtc, format) }.ToString();
        response.Headers[ExportFormat.SnapshotHeader] = export.MaxId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers.CacheControl = "no-store";

        var rows = 0L;
        try
        {
            await using var writer = new StreamWriter(response.Body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), BufferChars,
                leaveOpen: true);
            var line = new StringBuilder(256);
            if (format == ExportFormat.Csv) await writer.WriteAsync(CsvField.Header);
            await foreach (var order in export.ReadAllAsync(cancellationToken))
            {
                line.Clear();
                if (format == ExportFormat.Csv) CsvField.AppendRow(line, order);
                else line.Append(JsonSerializer.Serialize(order, OrderJsonContext.Default.StoredOrder)).Append('\n');
                await writer.WriteAsync(line, cancellationToken);
                rows++;
            }
            await writer.FlushAsync(cancellationToken);
            LogExported(rows, format, export.MaxId);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogCancelled(rows);
        }
        catch (Exception ex) when (response.HasStarted)
        {
            LogBroken(ex, rows);
            httpContext.Abort();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Exported {Rows} orders as {Format} (snapshot up to id {MaxId})")]
    private partial void LogExported(long rows, string format, long maxId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Export cancelled by the client after {Rows} orders")]
    private partial void LogCancelled(long rows);

    [LoggerMessage(Level = LogLevel.Error, Message = "Export failed after {Rows} orders; the response was aborted")]
    private partial void LogBroken(Exception ex, long rows);
}
