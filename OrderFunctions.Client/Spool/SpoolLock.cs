namespace OrderFunctions.Client.Spool;

/// <summary>
/// One sender per spool directory: <c>spool.lock</c> held open exclusively (an advisory <c>flock</c> on Linux, a
/// sharing lock on Windows) for the sender's life. The kernel releases it when the process dies, so a killed sender
/// never leaves the directory locked. <c>spool.owner</c> says which process holds it, for the error message.
/// </summary>
internal sealed class SpoolLock : IDisposable
{
    private readonly FileStream _stream;

    private SpoolLock(FileStream stream) => _stream = stream;

    public static SpoolLock Acquire(string directory)
    {
        var path = Path.Combine(directory, "spool.lock");
        var owner = Path.Combine(directory, "spool.owner");
        try
        {
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            File.WriteAllText(owner, $"{Environment.ProcessId} {Environment.MachineName} {DateTimeOffset.UtcNow:O}");
            return new SpoolLock(stream);
        }
        catch (IOException ex)
        {
            string holder;
            try { holder = File.ReadAllText(owner).Split(' ')[0]; } catch (IOException) { holder = "unknown"; }
            throw new OrderSpoolInUseException(
                $"The spool directory {directory} is in use by another OrderSender (process {holder}): one sender per spool directory. "
                + "Stop the other sender, or give this one its own SpoolDirectory.", ex);
        }
    }

    public void Dispose() => _stream.Dispose();
}

/// <summary>The spool directory is locked by another <see cref="OrderSender"/> (in this process or another).</summary>
public sealed class OrderSpoolInUseException(string message, Exception inner) : IOException(message, inner);
