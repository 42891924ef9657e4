using OrderClient;

namespace OrderFunctions.Tests.Client;

/// <summary>
/// Runs the client in-process, as the executable would
/// (<see cref="OrderClientApp.RunAsync(string[], TextWriter, TextWriter, ClientEnvironment, CancellationToken)"/>), against a fake
/// handler or, without one, a real server over sockets, and keeps what it printed. Every run has a deadline, so a client that hangs
/// fails its test instead of hanging the suite.
/// </summary>
public sealed class ClientRun
{
    /// <summary>How long one run may take: its token is cancelled then, and it is abandoned a little later.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    public required int ExitCode { get; init; }
    public required string Output { get; init; }
    public required string Error { get; init; }

    public static Task<ClientRun> RunAsync(FakeOrdersHandler handler, params string[] args) =>
        RunAsync(new ClientRunSettings { Handler = handler }, args);

    public static Task<ClientRun> RunAsync(FakeOrdersHandler handler, IReadOnlyDictionary<string, string> variables, params string[] args) =>
        RunAsync(new ClientRunSettings { Handler = handler, Variables = variables }, args);

    public static async Task<ClientRun> RunAsync(ClientRunSettings settings, params string[] args)
    {
        var output = settings.Output ?? new StringWriter();
        var error = new StringWriter();
        var environment = new ClientEnvironment
        {
            GetVariable = name => settings.Variables.GetValueOrDefault(name),
            Clock = settings.Clock ?? TimeProvider.System,
        };
        if (settings.Handler is { } handler) environment = environment with { PrimaryHandler = () => handler, RetryDelay = TimeSpan.Zero };

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(settings.CancellationToken);
        deadline.CancelAfter(Deadline);
        var exit = await OrderClientApp.RunAsync(args, output, error, environment, deadline.Token)
            .WaitAsync(Deadline + TimeSpan.FromSeconds(15));
        if (deadline.IsCancellationRequested && !settings.CancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"OrderClient {string.Join(' ', args)} did not finish within " +
                $"{Deadline}.{Environment.NewLine}{output}{Environment.NewLine}{error}");
        }
        return new ClientRun { ExitCode = exit, Output = output.ToString()!, Error = error.ToString() };
    }
}
