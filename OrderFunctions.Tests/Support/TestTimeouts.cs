namespace OrderFunctions.Tests;

/// <summary>
/// Deadlines for tests that wait on the server, the store's writer or the client (<c>[Fact(Timeout = ...)]</c>): a
/// regression that hangs fails the test instead of hanging CI. Generous, as the machine is shared; no test asserts a
/// duration. xunit 2 enforces Timeout only on async tests, so every test given one is async.
/// </summary>
public static class TestTimeouts
{
    /// <summary>For a test that starts a host process or waits on the store's writer.</summary>
    public const int Server = 120_000;
}
