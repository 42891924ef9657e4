using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OrderFunctions.Http;

/// <summary>
/// The edge every function's work runs inside, on either host: whatever the work throws that it did not answer itself
/// becomes <see cref="UnexpectedFailure"/>'s answer (a logged 500 problem with a trace id, 499 for a caller that went
/// away, the server's own status for a body it refused), never the worker's bare 200.
/// </summary>
public static class FunctionBoundary
{
    /// <summary>
    /// Runs <paramref name="handle"/> on <paramref name="request"/> with <paramref name="state"/> (the function and any
    /// route values; a static lambda with state allocates no closure per request).
    /// </summary>
    public static async Task<IResult> RunAsync<TState>(HttpRequest request, TState state,
        Func<HttpRequest, TState, CancellationToken, Task<IResult>> handle, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            return await handle(request, state, cancellationToken);
        }
        catch (Exception ex)
        {
            return UnexpectedFailure.Handle(logger, request, ex, cancellationToken);
        }
    }
}
