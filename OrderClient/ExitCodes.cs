using OrderFunctions.Client;

namespace OrderClient;

/// <summary>The process exit codes, the same for every command.</summary>
public static class ExitCodes
{
    /// <summary>Everything was accepted (201, or 200 for an idempotent replay).</summary>
    public const int Success = 0;
    /// <summary>The server (or the client's own parsing) rejected something: 4xx.</summary>
    public const int Rejected = 1;
    /// <summary>The server could not be reached, timed out, or answered 5xx after the retries.</summary>
    public const int Unavailable = 2;
    /// <summary>Interrupted (Ctrl-C): 128 + SIGINT, as shells report it. What was done so far has been printed.</summary>
    public const int Interrupted = 130;

    /// <summary>0 for the answer expected; 2 when nothing (or not the API) answered, or it was transient; else 1.</summary>
    public static int Of<T>(OrderResponse<T> response) =>
        response.IsSuccess ? Success : response.IsTransient || response.Status is >= 200 and < 300 ? Unavailable : Rejected;
}
