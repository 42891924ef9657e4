namespace OrderClient;

/// <summary><c>OrderClient send</c>: posts one order and prints what the server stored.</summary>
public sealed class SendCommand(OrdersApiClient api, TextWriter output, TextWriter error)
{
    public async Task<int> RunAsync(OrderDraft order, CancellationToken cancellationToken)
    {
        var result = await api.CreateAsync(order, cancellationToken);
        if (result is { Outcome: ApiOutcome.Success, Value: { } stored })
        {
            output.WriteLine(result.Replayed
                ? $"Already stored (idempotent replay of clientOrderId {stored.ClientOrderId}): order {stored.Id}, nothing new was written."
                : $"Stored order {stored.Id}.");
            OutputFormat.WriteOrder(output, stored);
            return ExitCodes.Success;
        }
        OutputFormat.WriteFailure(error, result, result.Outcome == ApiOutcome.Rejected ? "Rejected" : "Unavailable");
        if (result.Outcome == ApiOutcome.Unavailable)
        {
            // The same clientOrderId and the same content make a resend an idempotent replay, never a second order.
            error.WriteLine($"The order may or may not be stored. Resending it is safe with the same id and time: --timestamp {order.Timestamp} --client-order-id {order.ClientOrderId}");
        }
        return result.ExitCode;
    }
}
