using OrderFunctions.Client;
using OrderFunctions.Orders;

namespace OrderClient;

/// <summary><c>OrderClient send</c>: posts one order through the library's typed client and prints what the server stored.</summary>
/// <param name="attempts">Whether any attempt reached the server; null when unknown (then a transport failure is "may or may not").</param>
/// <param name="timestampDefaulted">True when --timestamp was not given, so the order carries the time of this run.</param>
public sealed class SendCommand(OrderFunctionsClient api, ApiEndpoint endpoint, TextWriter output, TextWriter error, SendAttempts? attempts = null,
    bool timestampDefaulted = false)
{
    public async Task<int> RunAsync(OrderDraft order, CancellationToken cancellationToken)
    {
        var result = await api.CreateOrderAsync(order.ToRequest(), cancellationToken);
        if (result is { IsSuccess: true, Value: { } stored })
        {
            output.WriteLine(result.Replayed
                ? $"Already stored (idempotent replay of clientOrderId {stored.ClientOrderId}): order {stored.Id}, nothing new was written."
                : $"Stored order {stored.Id}.");
            OutputFormat.WriteOrder(output, stored);
            return ExitCodes.Success;
        }
        if (result.Status == 409 && timestampDefaulted && await ExistingAsync(result, cancellationToken) is { } existing)
        {
            return Conflict(order, existing);
        }
        var exit = ExitCodes.Of(result);
        OutputFormat.WriteFailure(error, result, endpoint, exit == ExitCodes.Rejected ? "Rejected" : "Unavailable");
        if (exit == ExitCodes.Unavailable)
        {
            // The same clientOrderId and the same content make a resend an idempotent replay, never a second order.
            // The client repeats what the server said (its 503 says whether anything was written), knows when no
            // attempt ever had a connection, and guesses only when nothing says: no answer, or a bare 5xx in between.
            var resend = $"--timestamp {order.Timestamp} --client-order-id {order.ClientOrderId}";
            if (result.Status == 0 && attempts is { AnyReachedServer: false })
            {
                error.WriteLine("Nothing was sent: no attempt reached the server. Once it is up, send again (safe with the same id and time): " +
                    $"{resend}");
            }
            else
            {
                error.WriteLine(result.Problem?.Detail is { Length: > 0 }
                    ? $"Sending it again is safe with the same id and time: {resend}"
                    : $"The order may or may not be stored. Sending it again is safe with the same id and time: {resend}");
            }
        }
        return exit;
    }

    // The 409 names the stored order (existingId): read it to tell a re-run of the same command from a different order.
    private async Task<StoredOrder?> ExistingAsync(OrderResponse<StoredOrder> conflict, CancellationToken cancellationToken)
    {
        if (conflict.Problem?.ExistingId is not { } id) return null;
        var found = await api.GetOrderAsync(id, cancellationToken);
        return found.Value;
    }

    private int Conflict(OrderDraft order, StoredOrder existing)
    {
        var differences = Differences(order, existing);
        if (differences.Count == 0)
        {
            // The same command run again: only the time differs, because --timestamp defaults to now. It is stored once.
            output.WriteLine($"Already stored: clientOrderId {existing.ClientOrderId} is order {existing.Id}, sent before at " +
                $"{OutputFormat.Timestamp(existing.Timestamp)}; nothing new was written.");
            OutputFormat.WriteOrder(output, existing);
            error.WriteLine($"(This run's --timestamp defaulted to now, {order.Timestamp}. To repeat the original exactly: " +
                $"--timestamp {OutputFormat.Timestamp(existing.Timestamp)} --client-order-id {existing.ClientOrderId})");
            return ExitCodes.Success;
        }
        error.WriteLine($"Rejected: clientOrderId {existing.ClientOrderId} is already order {existing.Id} of {existing.Username}, " +
            $"a different order ({string.Join(", ", differences)}); nothing was written.");
        error.WriteLine("Use a new --client-order-id for a new order (or leave it out: the client makes one).");
        return ExitCodes.Rejected;
    }

    private static List<string> Differences(OrderDraft order, StoredOrder existing)
    {
        var differences = new List<string>();
        if (!string.Equals(order.Market, existing.Market, StringComparison.Ordinal)) differences.Add($"market {existing.Market}, not {order.Market}");
        if (!string.Equals(order.Side, existing.Side, StringComparison.OrdinalIgnoreCase)) differences.Add($"side {existing.Side}, not {order.Side}");
        if (order.Size != existing.Size) differences.Add($"size {OutputFormat.Number(existing.Size)}, not {OutputFormat.Number(order.Size)}");
        if (order.Price != existing.Price) differences.Add($"price {OutputFormat.Number(existing.Price)}, not {OutputFormat.Number(order.Price)}");
        return differences;
    }
}
