namespace OrderFunctions.Client;

/// <summary>
/// One producer thread's positions in one log: the block it reserved (<see cref="Next"/> up to <see cref="End"/>), the
/// size of its next block, and whether it is appending now. Only its own thread writes it, except
/// <see cref="Appending"/>, which the log reads when it closes.
/// </summary>
internal sealed class ProducerBlock
{
    /// <summary>The managed id of the thread the block belongs to.</summary>
    public int Thread;

    /// <summary>The next position of this thread's block; the block is used up at <see cref="End"/>.</summary>
    public long Next;

    /// <summary>One past the block's last position; also this thread's guess of where the shared tail is.</summary>
    public long End;

    /// <summary>
    /// How many positions the current block asked for (the next doubles if this one is used up quickly, halves if not:
    /// <see cref="BlockReservation"/>); 0 before the thread's first block and after the sender cut one short.
    /// </summary>
    public int Size;

    /// <summary>When this thread reserved its current block (<see cref="System.Diagnostics.Stopwatch"/> ticks).</summary>
    public long Reserved;

    /// <summary>1 while this thread writes into the spool's mapped memory (the spool waits for 0 before unmapping).</summary>
    public int Appending;

    /// <summary>The sender skipped a position of this block (it waited too long): the rest of it is given up.</summary>
    public void Abandon()
    {
        Next = End;
        Size = 0;
    }
}
