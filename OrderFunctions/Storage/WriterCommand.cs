namespace OrderFunctions.Storage;

/// <summary>What the write queue's one writer thread is asked to do: write a request (<see cref="PendingWrite{TPrepared}"/>) or reconnect.</summary>
internal abstract class WriterCommand
{
}

/// <summary>
/// Connect again if a fault dropped the connection, and say whether that worked: <see cref="Done"/> completes with
/// null once connected, else with the cause. Sent by health after a failed write.
/// </summary>
internal sealed class ReconnectCommand : WriterCommand
{
    // Completed on the writer thread; the caller resumes on the thread pool, never on the writer.
    public TaskCompletionSource<string?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
