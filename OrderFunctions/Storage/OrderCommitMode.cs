namespace OrderFunctions.Storage;

/// <summary>Which thread commits the write queue's groups (<c>OrderStorage:CommitMode</c>).</summary>
public enum OrderCommitMode
{
    /// <summary>One writer thread per process takes every waiting request and commits it (the default, measured).</summary>
    WriterThread,

    /// <summary>
    /// Experimental: no writer thread. The request that finds no commit under way commits the group itself on its own
    /// thread (the leader, as LevelDB's and RocksDB's write groups do); requests arriving meanwhile wait for it, and
    /// a lone order is committed and answered with no hand-off between threads.
    /// </summary>
    Leader,
}
