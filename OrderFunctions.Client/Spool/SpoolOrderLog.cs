using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.IO.MemoryMappedFiles;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace OrderFunctions.Client.Spool;

/// <summary>
/// The crash-safe log: append-only memory-mapped segment files in one directory, written by the producers themselves
/// (an order is in the page cache, and so survives the process being killed, when TryAppend returns), read by the
/// sender, released when the server acknowledged them. The design is Chronicle Queue's: fixed segment files mapped
/// ahead of the writers, a length and checksum per record, the reader's position persisted apart (here a 24-byte
/// <c>position</c> file; losing it only means resending, which clientOrderIds make harmless), acknowledged segments
/// recycled (renamed, their space kept). The directory is locked (<c>spool.lock</c>) so one sender owns it.
/// </summary>
internal sealed unsafe partial class SpoolOrderLog : IOrderLog
{
    private const string SegmentPrefix = "segment-";
    private const string SegmentSuffix = ".log";
    private const string FreePrefix = "free-";
    private const string PositionFile = "position";
    private const ulong PositionCheck = 0x4f52_4445_5253_504c; // "ORDERSPL"

    // How far ahead of the writers the spool's thread keeps pages writable (see TouchAhead), and how often it touches
    // that whole window again in case the kernel wrote some of those pages back meanwhile.
    private const long TouchAheadBytes = 16L << 20;
    private static readonly long RetouchTicks = Stopwatch.Frequency;
    // How far behind the tail the spool's thread touches at most: the blocks of 64 threads. Below the lowest position a
    // producer may still write, no page needs it; the bound keeps a stale block (a thread gone mid-block while the
    // server is away, nothing acknowledged) from making it touch the whole backlog every second.
    private const long TouchBehindRecords = 64L * BlockReservation.MaxBlock;
    // How many released segments stay mapped for reuse (see Release): the one the writers need next, and one more.
    private const int WarmSegments = 2;

    private sealed class Segment(long index, string path, MemoryMappedFile file, MemoryMappedViewAccessor view, nint pointer)
    {
        public long Index { get; } = index;
        public string Path { get; set; } = path;
        public MemoryMappedFile File { get; } = file;
        public MemoryMappedViewAccessor View { get; } = view;
        public nint Pointer { get; } = pointer;
    }

    private readonly string _directory;
    private readonly SpoolLock _lock;
    private readonly byte[] _idPrefix;
    private readonly ILogger _logger;
    private readonly long _slotsPerSegment;
    private readonly long _segmentBytes;
    private readonly int _maxSegments;
    private readonly Segment?[] _segments;
    private readonly nint[] _bases;
    private readonly Queue<string> _free = new();
    private readonly Stack<Segment> _warm = new();
    private readonly FileStream _position;
    private readonly SpoolFlushMode _flushMode;
    private readonly TimeSpan _flushInterval;
    private readonly Thread _keeper;
    // No spinning before it blocks: the spool's thread waits 1 ms a thousand times a second, and a spin (yields included)
    // took a core from the producers each time.
    private readonly ManualResetEventSlim _stop = new(false, spinCount: 0);
    private readonly object _mapping = new();
    private readonly BlockReservation _reservation;
    private long _acked;
    private long _writableEnd;
    private long _highestMapped = -1;
    private long _recoveredEnd;
    private volatile bool _closed;
    private readonly object _flushing = new();
    private readonly long _touchAheadRecords;
    private long _touchedTo;
    private long _nextRetouch;
    private volatile string? _diskFull;
    private DateTime _nextDiskRetry;

    public SpoolOrderLog(OrderSenderOptions options, byte[] idPrefix, ILogger logger)
    {
        _directory = Path.GetFullPath(options.SpoolDirectory!);
        Directory.CreateDirectory(_directory);
        _lock = SpoolLock.Acquire(_directory);
        try
        {
            _idPrefix = idPrefix;
            _logger = logger;
            _flushMode = options.SpoolFlush;
            _flushInterval = options.SpoolFlushInterval;
            _position = new FileStream(Path.Combine(_directory, PositionFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            var (acked, storedSlots) = ReadPosition();
            _slotsPerSegment = storedSlots > 0 ? storedSlots : Math.Max(16, options.SpoolSegmentBytes / SpoolRecord.SlotBytes);
            if (storedSlots > 0 && storedSlots != options.SpoolSegmentBytes / SpoolRecord.SlotBytes)
            {
                LogSegmentSizeKept(_logger, _directory, storedSlots * SpoolRecord.SlotBytes);
            }
            _segmentBytes = _slotsPerSegment * SpoolRecord.SlotBytes;
            var existing = ExistingSegments();
            var firstLive = acked / _slotsPerSegment;
            var live = existing.Where(e => e.Index >= firstLive).ToList();
            _maxSegments = (int)Math.Max(options.MaxSpoolBytes / _segmentBytes, live.Count == 0 ? 2 : live[^1].Index - firstLive + 2);
            _segments = new Segment?[_maxSegments];
            _bases = new nint[_maxSegments];
            // The free files first: a segment recycled here is one too, and listed twice it was renamed twice, the second
            // time from a name that no longer existed (an IOException, taken for a full disk).
            foreach (var file in Directory.EnumerateFiles(_directory, FreePrefix + "*")) _free.Enqueue(file);
            foreach (var (index, path) in existing.Where(e => e.Index < firstLive)) _free.Enqueue(Recycle(path));

            _acked = acked;
            _highestMapped = firstLive - 1;
            foreach (var (index, path) in live)
            {
                while (_highestMapped + 1 < index) MapNew(_highestMapped + 1); // a segment file deleted by hand: a hole, skipped
                Map(index, path, create: false);
            }
            _reservation = new BlockReservation(Recover(), options.BlockQuickFill);
            _touchAheadRecords = Math.Max(1, TouchAheadBytes / SpoolRecord.SlotBytes);
            EnsureMapped();
            TouchAhead(again: true);
        }
        catch
        {
            DisposeSegments();
            _lock.Dispose();
            throw;
        }
        _keeper = new Thread(Keep) { IsBackground = true, Name = "OrderSender spool" };
        _keeper.Start();
    }

    public long Acked => Volatile.Read(ref _acked);
    public long Tail => _reservation.Tail;
    public long BufferedBytes => (Tail - Acked) * SpoolRecord.SlotBytes;
    public string? Location => _directory;

    /// <summary>Why the spool refuses orders now, in words, or null.</summary>
    public string? DiskFullReason => _diskFull;

    /// <summary>
    /// Takes the next position of this thread's block (<see cref="BlockReservation"/>), claims its slot by writing the
    /// position's stamp with a compare-and-swap (it fails only when the sender skipped the position: the rest of the
    /// block is given up), then writes the record. <see cref="ProducerBlock.Appending"/> is set around it so that neither
    /// <see cref="Dispose"/> nor the release of an acknowledged segment unmaps memory a producer is writing; a position
    /// below <see cref="Acked"/> (the rest of a block the sender skipped and acknowledged) is never touched.
    /// </summary>
    public EnqueueStatus TryAppend(in OutgoingOrder order)
    {
        var block = _reservation.Current;
        Interlocked.Exchange(ref block.Appending, 1); // a full fence: Dispose sets _closed, then reads Appending
        try
        {
            if (_closed) return EnqueueStatus.Stopped;
            while (true)
            {
                var position = _reservation.TryNext(block, ref _writableEnd, 0);
                if (position < 0) return Refusal();
                if (position < Volatile.Read(ref _acked))
                {
                    // The rest of a block the sender skipped and acknowledged: its segment may be unmapped already.
                    block.Abandon();
                    continue;
                }
                var slot = Slot(position);
                if (!SlotStamp.TryClaim(ref SpoolRecord.Stamp(slot), position, SlotStamp.Written(position)))
                {
                    block.Abandon();
                    continue;
                }
                SpoolRecord.Write(slot, position, order, _idPrefix);
                return EnqueueStatus.Accepted;
            }
        }
        finally
        {
            Volatile.Write(ref block.Appending, 0);
        }
    }

    private EnqueueStatus Refusal()
    {
        if (Volatile.Read(ref _highestMapped) + 1 - Acked / _slotsPerSegment >= _maxSegments) return EnqueueStatus.SpoolFull;
        return _diskFull is not null ? EnqueueStatus.DiskFull : EnqueueStatus.BufferFull;
    }

    private byte* Slot(long position) =>
        (byte*)_bases[(int)(position / _slotsPerSegment % _maxSegments)] + position % _slotsPerSegment * SpoolRecord.SlotBytes;

    public SlotState WriteJson(long position, Utf8JsonWriter writer)
    {
        var slot = Slot(position);
        var check = SpoolRecord.Check(slot, position, out var length);
        if (check != RecordCheck.Valid)
        {
            return check == RecordCheck.Skipped || position < _recoveredEnd ? SlotState.Skip : SlotState.Pending;
        }
        SpoolRecord.WriteJson(slot, length, writer);
        return SlotState.Ready;
    }

    public OutgoingOrder Read(long position)
    {
        var slot = Slot(position);
        SpoolRecord.Check(slot, position, out var length);
        return SpoolRecord.Read(slot, length);
    }

    public bool TrySkip(long position) => position < _recoveredEnd || SlotStamp.TrySkip(ref SpoolRecord.Stamp(Slot(position)), position);

    public void Commit(long next)
    {
        Volatile.Write(ref _acked, next);
        WritePosition(next);
    }

    /// <summary>
    /// Forces the records below <paramref name="end"/> that are not acknowledged to disk, and nothing beyond them. Only
    /// that range: writing a page back makes the kernel write-protect it, so the next store into it faults; flushing
    /// the whole segment (the pages prepared ahead of the writers too) made every TryEnqueue that began a page pay
    /// such a fault, microseconds on the caller's thread, after every flush.
    /// </summary>
    public void FlushToDisk(long end)
    {
        lock (_flushing)
        {
            var from = Acked;
            if (end <= from) return;
            var last = Math.Min((end - 1) / _slotsPerSegment, Volatile.Read(ref _highestMapped));
            for (var index = from / _slotsPerSegment; index <= last; index++)
            {
                if (_segments[index % _maxSegments] is not { } segment || segment.Index != index) continue;
                var start = index == from / _slotsPerSegment ? from % _slotsPerSegment * SpoolRecord.SlotBytes : 0;
                var stop = index == (end - 1) / _slotsPerSegment ? ((end - 1) % _slotsPerSegment + 1) * SpoolRecord.SlotBytes : _segmentBytes;
                FlushRange(segment, start, stop);
            }
        }
        // The pages written back are write-protected now: make the ones producers still write (the blocks reserved below
        // end, and the page holding it) writable again before a producer needs them.
        Volatile.Write(ref _touchedTo, Math.Min(Volatile.Read(ref _touchedTo), Math.Min(_reservation.LowestUnwritten(), end - 1)));
    }

    private void FlushRange(Segment segment, long start, long stop)
    {
        if (!OperatingSystem.IsLinux())
        {
            segment.View.Flush(); // the whole view: no ranged flush in .NET's API
            return;
        }
        var page = Environment.SystemPageSize;
        var first = start / page * page;
        var length = (stop + page - 1) / page * page - first;
        if (SpoolNative.msync(segment.Pointer + (nint)first, (nuint)length, SpoolNative.MsSync) != 0)
        {
            throw new IOException($"msync of spool segment {segment.Path} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>
    /// Keeps the pages the writers will use next writable and dirty, so that TryEnqueue stores into memory that needs no
    /// page fault. A page of a file mapping faults on its first store, and again on the first store after it was written
    /// back (the kernel write-protects it then): both faults are paid here, on the spool's thread, up to
    /// <see cref="TouchAheadBytes"/> ahead of the tail. The touch is an atomic OR of zero, which changes no byte even when
    /// a producer writes the same word at the same moment.
    /// </summary>
    private void TouchAhead(bool again)
    {
        // From behind the tail: producers still write the blocks they reserved below it.
        var tail = Tail;
        var behind = Math.Max(Acked, Math.Max(_reservation.LowestUnwritten(), tail - TouchBehindRecords));
        var to = Math.Min(tail + _touchAheadRecords, Volatile.Read(ref _writableEnd));
        var from = again ? behind : Math.Max(Volatile.Read(ref _touchedTo), behind);
        if (from >= to) return;
        var page = Environment.SystemPageSize;
        for (var index = from / _slotsPerSegment; index <= (to - 1) / _slotsPerSegment; index++)
        {
            var pointer = (byte*)_bases[index % _maxSegments];
            var start = index == from / _slotsPerSegment ? from % _slotsPerSegment * SpoolRecord.SlotBytes : 0;
            var stop = index == (to - 1) / _slotsPerSegment ? ((to - 1) % _slotsPerSegment + 1) * SpoolRecord.SlotBytes : _segmentBytes;
            for (var offset = start / page * page; offset < stop; offset += page) Interlocked.Or(ref *(int*)(pointer + offset), 0);
        }
        Volatile.Write(ref _touchedTo, to);
    }

    /// <summary>
    /// Finds where the last run stopped and returns the first position after it: one past the last position any producer
    /// claimed (or the sender skipped). Below it, a position that holds no complete record is skipped when it is sent:
    /// silently when nothing was ever written there (the unused end of a producer's block), with a warning when a record
    /// was begun (torn: the process was killed mid-append, or the disk lied).
    /// </summary>
    private long Recover()
    {
        var end = (_highestMapped + 1) * _slotsPerSegment;
        var last = _acked - 1;
        for (var position = _acked; position < end; position++)
        {
            if (SpoolRecord.Check(Slot(position), position, out _) != RecordCheck.Absent) last = position;
        }
        _recoveredEnd = last + 1;
        long torn = 0, valid = 0;
        for (var position = _acked; position <= last; position++)
        {
            var check = SpoolRecord.Check(Slot(position), position, out _);
            if (check == RecordCheck.Valid) valid++;
            if (check != RecordCheck.Torn) continue;
            if (position == last) LogTornTail(_logger, position, SegmentPath(position / _slotsPerSegment));
            else if (torn++ < 10) LogSkipped(_logger, position, SegmentPath(position / _slotsPerSegment));
        }
        if (torn > 10) LogSkippedMore(_logger, torn - 10, _directory);
        if (valid > 0) LogRecovered(_logger, valid, _directory);
        return _recoveredEnd;
    }

    // Optimized at once: a runtime helper called from its loop's tier-0 code (the loop never returns) took 1.7% of all
    // samples in a profile of two producers; with this and a wait that does not spin, it is gone from the profile.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void Keep()
    {
        var nextFlush = DateTime.UtcNow + _flushInterval;
        _nextRetouch = Stopwatch.GetTimestamp() + RetouchTicks;
        while (!_stop.Wait(1))
        {
            try
            {
                EnsureMapped();
                if (_flushMode == SpoolFlushMode.Interval && DateTime.UtcNow >= nextFlush)
                {
                    // The whole unacknowledged range, not only what the tail gained: producers write below the tail,
                    // into the blocks they reserved. msync writes back only the pages that are dirty.
                    var tail = Tail;
                    if (tail > Acked) FlushToDisk(tail);
                    nextFlush = DateTime.UtcNow + _flushInterval;
                }
                var again = Stopwatch.GetTimestamp() >= _nextRetouch;
                if (again) _nextRetouch = Stopwatch.GetTimestamp() + RetouchTicks;
                TouchAhead(again);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogKeeperFailed(_logger, ex, _directory);
            }
        }
    }

    /// <summary>Releases acknowledged segments and maps one segment ahead of the writers, within the size limit.</summary>
    private void EnsureMapped()
    {
        lock (_mapping)
        {
            var firstLive = Acked / _slotsPerSegment;
            var waited = false;
            for (var i = 0; i < _segments.Length; i++)
            {
                if (_segments[i] is { } segment && segment.Index < firstLive)
                {
                    if (!waited) WaitForAppends(); // an append that read an older Acked may still write into it
                    waited = true;
                    _segments[i] = null;
                    Release(segment);
                }
            }
            // Two segments ahead of the writers: a burst may fill one before this thread wakes again.
            var wanted = Tail / _slotsPerSegment + 2;
            while (_highestMapped < wanted && _highestMapped + 1 - firstLive < _maxSegments)
            {
                if (_diskFull is not null && DateTime.UtcNow < _nextDiskRetry && _free.Count == 0 && _warm.Count == 0) return;
                if (!MapNew(_highestMapped + 1)) return;
            }
        }
    }

    private bool MapNew(long index)
    {
        var path = SegmentPath(index);
        try
        {
            if (_warm.TryPop(out var warm))
            {
                try
                {
                    File.Move(warm.Path, path);
                }
                catch
                {
                    Unmap(warm); // its file stays free, for the next start
                    throw;
                }
                Install(new Segment(index, path, warm.File, warm.View, warm.Pointer), prefault: true);
            }
            else if (_free.TryDequeue(out var free))
            {
                File.Move(free, path);
                Map(index, path, create: false, prefault: true);
            }
            else
            {
                Map(index, path, create: true, prefault: true);
            }
            if (_diskFull is not null)
            {
                _diskFull = null;
                LogDiskRoom(_logger, _directory);
            }
            return true;
        }
        catch (IOException ex)
        {
            if (_diskFull is null) LogDiskFull(_logger, ex, _directory);
            _diskFull = $"no room for spool segment {path} ({_segmentBytes} bytes): {ex.Message}";
            _nextDiskRetry = DateTime.UtcNow.AddSeconds(1);
            return false;
        }
    }

    private void Map(long index, string path, bool create, bool prefault = false)
    {
        var stream = create
            ? new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.None, PreallocationSize = _segmentBytes,
            })
            : new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        MemoryMappedFile? file = null;
        try
        {
            // A segment cut short (by hand, or a torn copy) is extended with zeros: its records up to the cut stay readable.
            if (stream.Length != _segmentBytes) stream.SetLength(_segmentBytes);
            file = MemoryMappedFile.CreateFromFile(stream, null, _segmentBytes, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None,
                leaveOpen: false);
            var view = file.CreateViewAccessor(0, _segmentBytes, MemoryMappedFileAccess.ReadWrite);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            pointer += view.PointerOffset;
            Install(new Segment(index, path, file, view, (nint)pointer), prefault);
        }
        catch
        {
            file?.Dispose();
            stream.Dispose();
            if (create) File.Delete(path);
            throw;
        }
    }

    /// <summary>Makes a mapped segment the one of its index, where the writers find it.</summary>
    private void Install(Segment segment, bool prefault)
    {
        // Touch every page before the writers may use the segment: the page faults (a few microseconds each, one per ten
        // records, more where the preallocated blocks are first written) are paid here on the spool's thread, not by
        // TryEnqueue on the caller's; a page still mapped from the segment's last use is touched without one. An atomic
        // OR of zero takes one write fault per page; a plain load and store (tried on 2026-12-07) takes a read fault and
        // then a write fault, and saved nothing measurable on pages already mapped.
        if (prefault)
        {
            var pointer = (byte*)segment.Pointer;
            for (long offset = 0; offset < _segmentBytes; offset += Environment.SystemPageSize)
            {
                Interlocked.Or(ref *(int*)(pointer + offset), 0);
            }
        }
        // TouchAhead touches these pages again shortly before the producers reach them. Leaving that out (the segment's
        // pages counted as touched here) saved the spool's thread little and raised the producer's p99 from 220 to
        // 460 ns (latency mode, one producer, two runs each, 2026-12-07).
        _segments[segment.Index % _maxSegments] = segment;
        _bases[segment.Index % _maxSegments] = segment.Pointer;
        Volatile.Write(ref _highestMapped, segment.Index);
        Volatile.Write(ref _writableEnd, (segment.Index + 1) * _slotsPerSegment);
    }

    /// <summary>
    /// Gives up an acknowledged segment (no append is under way in it: <see cref="WaitForAppends"/>). Its file is renamed
    /// free for reuse, and on Linux and macOS its mapping is kept for the next segment: a mapping made anew faults on
    /// every page again (6,144 faults for a 24 MiB segment, a few microseconds each on the spool's thread, CPU taken
    /// from the cores the producers run on; docs/sender.md). The kept pages are still in the page tables and mostly
    /// dirty, so touching them costs no fault. Windows cannot rename a file that is mapped, so there it is unmapped.
    /// </summary>
    private void Release(Segment segment)
    {
        if (OperatingSystem.IsWindows() || _warm.Count >= WarmSegments)
        {
            Unmap(segment);
            _free.Enqueue(Recycle(segment.Path));
            return;
        }
        try
        {
            segment.Path = Recycle(segment.Path);
        }
        catch
        {
            Unmap(segment); // not kept: the rename failed (the caller logs it); the file stays as it was
            throw;
        }
        _warm.Push(segment);
    }

    /// <summary>
    /// Unmaps a segment without writing it back. Disposing a MemoryMappedViewAccessor flushes its whole view first
    /// (<c>msync</c> of every dirty page, synchronously): for a recycled segment, whose orders the server already has,
    /// that wrote 24 MiB to disk on the spool's thread for nothing, and every page written back sent a TLB shootdown to
    /// the CPUs running the producers (the "Never" mode's rare slow calls). Closing the view's handle first unmaps it
    /// (<c>munmap</c>), and the accessor then skips its flush. Nothing is lost by not flushing: the pages of a shared
    /// mapping stay in the page cache, which the kernel writes back on its own; a stop flushes explicitly unless
    /// <see cref="SpoolFlushMode.Never"/>.
    /// </summary>
    private static void Unmap(Segment segment)
    {
        segment.View.SafeMemoryMappedViewHandle.ReleasePointer();
        segment.View.SafeMemoryMappedViewHandle.Dispose();
        segment.View.Dispose();
        segment.File.Dispose();
    }

    private string Recycle(string path)
    {
        var free = Path.Combine(_directory, $"{FreePrefix}{Guid.NewGuid():N}{SegmentSuffix}");
        File.Move(path, free);
        return free;
    }

    private string SegmentPath(long index) =>
        Path.Combine(_directory, $"{SegmentPrefix}{index.ToString("D12", CultureInfo.InvariantCulture)}{SegmentSuffix}");

    private List<(long Index, string Path)> ExistingSegments()
    {
        var result = new List<(long, string)>();
        foreach (var path in Directory.EnumerateFiles(_directory, SegmentPrefix + "*" + SegmentSuffix))
        {
            var name = Path.GetFileName(path);
            if (long.TryParse(name.AsSpan(SegmentPrefix.Length, name.Length - SegmentPrefix.Length - SegmentSuffix.Length), NumberStyles.None,
                CultureInfo.InvariantCulture, out var index))
            {
                result.Add((index, path));
            }
        }
        result.Sort();
        return result;
    }

    private (long Acked, long SlotsPerSegment) ReadPosition()
    {
        Span<byte> bytes = stackalloc byte[24];
        if (RandomAccess.Read(_position.SafeFileHandle, bytes, 0) != 24) return (0, 0);
        var acked = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        var slots = BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]);
        var check = BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]);
        if (check != ((ulong)acked ^ (ulong)slots ^ PositionCheck) || acked < 0 || slots <= 0)
        {
            LogPositionLost(_logger, _directory);
            return (0, 0);
        }
        return (acked, slots);
    }

    private void WritePosition(long acked)
    {
        Span<byte> bytes = stackalloc byte[24];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, acked);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[8..], _slotsPerSegment);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[16..], (ulong)acked ^ (ulong)_slotsPerSegment ^ PositionCheck);
        RandomAccess.Write(_position.SafeFileHandle, bytes, 0);
    }

    private void DisposeSegments()
    {
        if (_segments is null) return;
        for (var i = 0; i < _segments.Length; i++)
        {
            if (_segments[i] is { } segment)
            {
                _segments[i] = null;
                try { if (_flushMode != SpoolFlushMode.Never) segment.View.Flush(); } catch (IOException) { }
                Unmap(segment);
            }
        }
        while (_warm.TryPop(out var warm)) Unmap(warm); // acknowledged: nothing in it to flush
        _position?.Dispose();
    }

    /// <summary>
    /// Waits until every append under way has finished. An append sets its thread's <see cref="ProducerBlock.Appending"/>
    /// (with a full fence) before it reads <see cref="_acked"/> and <see cref="_closed"/>: one that started before this
    /// call may have read the old values and is waited for; one that starts after sees the new ones and keeps out of
    /// the memory about to be unmapped.
    /// </summary>
    private void WaitForAppends()
    {
        Interlocked.MemoryBarrier();
        foreach (var block in _reservation.All)
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref block.Appending) != 0) spin.SpinOnce();
        }
    }

    public void Dispose()
    {
        // A producer may be between the sender's state check and its write while the sender closes: no append starts
        // once _closed is set, and the ones under way are waited for before anything is unmapped, so no TryEnqueue ever
        // writes into memory that is gone. An append is a few hundred nanoseconds unless its thread is preempted.
        _closed = true;
        WaitForAppends();
        _stop.Set();
        _keeper.Join();
        lock (_mapping) DisposeSegments();
        _lock.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Spool: record {Position} in {Segment} is torn or corrupt (length or checksum); skipped, the records around it are kept")]
    private static partial void LogSkipped(ILogger logger, long position, string segment);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Spool: {Count} more torn or corrupt records skipped in {Directory}")]
    private static partial void LogSkippedMore(ILogger logger, long count, string directory);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Spool: torn tail at record {Position} in {Segment} (the process stopped mid-append); skipped, every record before it is kept")]
    private static partial void LogTornTail(ILogger logger, long position, string segment);

    [LoggerMessage(Level = LogLevel.Information, Message = "Spool: {Count} orders not yet acknowledged found in {Directory}; sending them first")]
    private static partial void LogRecovered(ILogger logger, long count, string directory);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Spool: the position file in {Directory} is unreadable; every record in the spool is sent again (the server answers replays, " +
            "nothing is stored twice)")]
    private static partial void LogPositionLost(ILogger logger, string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Spool: {Directory} keeps the segment size it was created with ({Bytes} bytes)")]
    private static partial void LogSegmentSizeKept(ILogger logger, string directory, long bytes);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Spool: the disk of {Directory} is full; new orders are refused (DiskFull) until there is room, orders already spooled are kept")]
    private static partial void LogDiskFull(ILogger logger, Exception ex, string directory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Spool: {Directory} has room again; orders are accepted")]
    private static partial void LogDiskRoom(ILogger logger, string directory);

    [LoggerMessage(Level = LogLevel.Error, Message = "Spool: maintaining {Directory} failed")]
    private static partial void LogKeeperFailed(ILogger logger, Exception ex, string directory);
}
