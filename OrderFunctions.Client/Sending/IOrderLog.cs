using System.Text.Json;

namespace OrderFunctions.Client;

/// <summary>Whether a position of the log holds an order the consumer can send.</summary>
internal enum SlotState
{
    /// <summary>The order is there.</summary>
    Ready,
    /// <summary>A producer has reserved the position (in its block) and has not written it yet, or is writing it.</summary>
    Pending,
    /// <summary>Nothing sendable will ever be there (skipped by the sender, or a torn or corrupt spool record found at recovery).</summary>
    Skip,
}

/// <summary>
/// Where accepted orders wait until the server acknowledges them: a memory ring or the spool. Positions (sequence
/// numbers) grow without end; producers append at <see cref="Tail"/> from any thread, the one consumer reads from
/// <see cref="Acked"/> and commits what the server acknowledged.
/// </summary>
internal interface IOrderLog : IDisposable
{
    /// <summary>The first position not yet committed.</summary>
    long Acked { get; }

    /// <summary>The first position not yet reserved by a producer (positions below it may still be in a producer's block).</summary>
    long Tail { get; }

    /// <summary>Bytes held for orders not yet acknowledged.</summary>
    long BufferedBytes { get; }

    /// <summary>Where unsent orders stay when the process ends (the spool directory), or null for memory.</summary>
    string? Location { get; }

    EnqueueStatus TryAppend(in OutgoingOrder order);

    /// <summary>Writes the order at <paramref name="position"/> as a JSON object when it is <see cref="SlotState.Ready"/>.</summary>
    SlotState WriteJson(long position, Utf8JsonWriter writer);

    /// <summary>
    /// Marks a <see cref="SlotState.Pending"/> position that no producer has started writing as skipped (its producer
    /// will take a new position); false when a producer is writing it.
    /// </summary>
    bool TrySkip(long position);

    /// <summary>The order at a ready position, as the caller gave it (for reporting a rejection).</summary>
    OutgoingOrder Read(long position);

    /// <summary>Releases every position below <paramref name="next"/>: the server has them.</summary>
    void Commit(long next);

    /// <summary>Forces the positions below <paramref name="end"/> to disk (spool only).</summary>
    void FlushToDisk(long end);
}
