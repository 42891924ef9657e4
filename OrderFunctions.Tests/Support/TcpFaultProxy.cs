using System.Net;
using System.Net.Sockets;

namespace OrderFunctions.Tests.Support;

/// <summary>
/// A TCP proxy on a loopback port the system picks, between the app and a PostgreSQL server, that fails on cue. It
/// forwards bytes both ways as they come; armed with <see cref="Arm"/>, it watches what the client sends for the
/// protocol's simple-query message <c>COMMIT</c> (how Npgsql commits) and drops that connection once, either after
/// forwarding the COMMIT (the server commits, the client never hears so) or instead of forwarding it (the server
/// rolls back). <see cref="RefuseConnections"/> makes it close every new connection at once (the server unreachable).
/// </summary>
public sealed class TcpFaultProxy : IAsyncDisposable
{
    // 'Q', length 11 (itself and "COMMIT\0"), "COMMIT\0".
    private static readonly byte[] CommitMessage = [(byte)'Q', 0, 0, 0, 11, .. "COMMIT"u8, 0];

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly Task _accepting;
    private int _armed; // a TcpFault
    private bool _refuseAfterDrop;
    private TaskCompletionSource _dropped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TcpFaultProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The port the proxy listens on (loopback).</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>When true, new connections are accepted and closed at once; connections already open go on.</summary>
    public bool RefuseConnections { get; set; }

    /// <summary>Completes when the armed fault has dropped a connection.</summary>
    public Task Dropped => _dropped.Task;

    public static TcpFaultProxy Start(int targetPort) => new(targetPort);

    /// <summary>
    /// Drops the next connection whose client sends COMMIT, once; with <paramref name="refuseAfterDrop"/>, from then on
    /// refuses new connections until <see cref="RefuseConnections"/> is set false again.
    /// </summary>
    public void Arm(TcpFault fault, bool refuseAfterDrop = false)
    {
        _dropped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _refuseAfterDrop = refuseAfterDrop;
        Volatile.Write(ref _armed, (int)fault);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            if (RefuseConnections)
            {
                client.Close(0);
                continue;
            }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        lock (_sockets) _sockets.AddRange([client, server]);
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            using var toClientCut = new CancellationTokenSource();
            var toServer = ClientToServerAsync(client, server, toClientCut);
            var toClient = PumpAsync(server, client, toClientCut.Token);
            await Task.WhenAny(toServer, toClient);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Close(0); // a reset, as when a network path fails
            server.Close();
        }
    }

    // cutToClient: cancelled before a dropped COMMIT is forwarded, so that the server's answer to it never reaches the
    // client. Cutting only afterwards (closing the sockets) raced with it: in a CI run under load the proxy's thread was
    // late, the answer got through, and the app answered 201 where the test expected the outcome unknown.
    private async Task ClientToServerAsync(Socket client, Socket server, CancellationTokenSource cutToClient)
    {
        var buffer = new byte[64 * 1024];
        var tail = new byte[CommitMessage.Length - 1];
        var tailLength = 0;
        while (true)
        {
            var read = await client.ReceiveAsync(buffer, _stop.Token);
            if (read == 0) return;
            var fault = (TcpFault)Volatile.Read(ref _armed);
            if (fault != TcpFault.None && EndOfCommit(tail.AsSpan(0, tailLength), buffer.AsSpan(0, read)) is { } end
                && Interlocked.CompareExchange(ref _armed, (int)TcpFault.None, (int)fault) == (int)fault)
            {
                // Forward what came before the COMMIT (and the COMMIT itself when the fault comes after it), then drop.
                var forward = fault == TcpFault.DropAfterCommit ? end : Math.Max(0, end - CommitMessage.Length);
                await cutToClient.CancelAsync();
                if (forward > 0) await server.SendAsync(buffer.AsMemory(0, forward), _stop.Token);
                if (_refuseAfterDrop) RefuseConnections = true;
                _dropped.TrySetResult();
                return;
            }
            await server.SendAsync(buffer.AsMemory(0, read), _stop.Token);
            var keep = Math.Min(tail.Length, read);
            buffer.AsSpan(read - keep, keep).CopyTo(tail);
            tailLength = keep;
        }
    }

    // The index in chunk just past a COMMIT message that may have begun in the previous chunk's tail, or null.
    private static int? EndOfCommit(ReadOnlySpan<byte> tail, ReadOnlySpan<byte> chunk)
    {
        var joined = new byte[tail.Length + chunk.Length];
        tail.CopyTo(joined);
        chunk.CopyTo(joined.AsSpan(tail.Length));
        var at = joined.AsSpan().IndexOf(CommitMessage);
        return at < 0 ? null : Math.Max(0, at + CommitMessage.Length - tail.Length);
    }

    private async Task PumpAsync(Socket from, Socket to, CancellationToken cut)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var read = await from.ReceiveAsync(buffer, _stop.Token);
            if (read == 0 || cut.IsCancellationRequested) return;
            await to.SendAsync(buffer.AsMemory(0, read), _stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_sockets)
        {
            foreach (var socket in _sockets) socket.Dispose();
        }
        await _accepting;
        _stop.Dispose();
    }
}
