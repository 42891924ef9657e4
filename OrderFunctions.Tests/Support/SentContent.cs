using System.Net;
using System.Text;

namespace OrderFunctions.Tests.Support;

/// <summary>A JSON body that signals <see cref="Sent"/> once the client has written all of it to the connection.</summary>
public sealed class SentContent : HttpContent
{
    private readonly byte[] _body;
    private readonly TaskCompletionSource _sent = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SentContent(string json)
    {
        _body = Encoding.UTF8.GetBytes(json);
        Headers.ContentType = new("application/json");
    }

    public Task Sent => _sent.Task;

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(_body);
        await stream.FlushAsync();
        _sent.TrySetResult();
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _body.Length;
        return true;
    }
}
