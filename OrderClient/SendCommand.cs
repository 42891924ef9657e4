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
            // The client repeats what the server said (its 503 says whether anything was written) and guesses only
            // when nothing from the server says: no answer at all, or a bare 5xx from something in between.
            var resend = $"--timestamp {order.Timestamp} --client-order-id {order.ClientOrderId}";
            error.WriteLine(result.Problem?.Detail is { Length: > 0 }
                ? $"Sending it again is safe with the same id and time: {resend}"
                : $"The order may or may not be stored. Sending it again is safe with the same id and time: {resend}");
        }
        return result.ExitCode;
    }
}
