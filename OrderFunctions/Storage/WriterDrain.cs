namespace OrderFunctions.Storage;

/// <summary>
/// What a graceful stop waits for: the writer thread has stopped, and every commit's completions (run on a
/// thread-pool work item after the commit) have resumed their callers.
/// </summary>
internal sealed class WriterDrain
{
    private readonly TaskCompletionSource _writerStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _completionsInFlight;

    public WriterDrain() => CompletionDone = OnCompletionDone;

    /// <summary>Call when a commit's completions are handed to the thread pool, before they run.</summary>
    public void CompletionStarted() => Interlocked.Increment(ref _completionsInFlight);

    /// <summary>Called once a commit's completions have all run (cached, so a commit allocates no delegate).</summary>
    public Action CompletionDone { get; }

    public bool IsWriterStopped => _writerStopped.Task.IsCompleted;

    /// <summary>Completes once the writer has stopped and no completion is in flight.</summary>
    public Task Drained => _drained.Task;

    // The writer stops counting up before _writerStopped is set, so whichever of the two sees zero last signals.
    public void WriterStopped()
    {
        _writerStopped.TrySetResult();
        if (Volatile.Read(ref _completionsInFlight) == 0) _drained.TrySetResult();
    }

    private void OnCompletionDone()
    {
        if (Interlocked.Decrement(ref _completionsInFlight) == 0 && _writerStopped.Task.IsCompleted) _drained.TrySetResult();
    }
}
