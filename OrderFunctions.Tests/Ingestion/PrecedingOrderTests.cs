using OrderFunctions.Http;

namespace OrderFunctions.Tests.Ingestion;

/// <summary>The value of <c>If-Order-Stored</c> as the server and its clients write and read it (<see cref="PrecedingOrder"/>).</summary>
public sealed class PrecedingOrderTests
{
    [Theory]
    [InlineData("alice", "a1b2c3", "alice/a1b2c3")]
    [InlineData("desk1/alice", "id/with/slashes", "desk1%2Falice/id%2Fwith%2Fslashes")]
    [InlineData("100% sure", "50%off", "100%25%20sure/50%25off")]
    [InlineData("Zoë Müller", "x", "Zo%C3%AB%20M%C3%BCller/x")]
    [InlineData("交易员", "~!@#$^&*()", "%E4%BA%A4%E6%98%93%E5%91%98/~%21%40%23%24%5E%26%2A%28%29")]
    [InlineData("🚀 rocket", "a+b=c?", "%F0%9F%9A%80%20rocket/a%2Bb%3Dc%3F")]
    public void Format_escapes_each_part_and_TryParse_reads_it_back(string username, string clientOrderId, string expected)
    {
        var value = PrecedingOrder.Format(username, clientOrderId);
        var parsed = PrecedingOrder.TryParse(value, out var readUsername, out var readClientOrderId);

        Assert.Equal(expected, value);
        Assert.Equal(Uri.EscapeDataString(username) + "/" + Uri.EscapeDataString(clientOrderId), value);
        Assert.True(parsed);
        Assert.Equal((username, clientOrderId), (readUsername, readClientOrderId));
    }

    [Theory]
    [InlineData("alice/A1", "alice", "A1")]
    [InlineData("zo%c3%ab/a%2fb", "zoë", "a/b")] // lower-case hex digits, as some encoders write them
    [InlineData("al ice/a", "al ice", "a")] // a space Format would have escaped still names that username
    [InlineData("a%09b/%30", "a\tb", "0")] // a first hex digit of 0 (what the name may hold is the validator's to say)
    public void TryParse_reads_values_that_other_encoders_write(string value, string username, string clientOrderId)
    {
        Assert.True(PrecedingOrder.TryParse(value, out var readUsername, out var readClientOrderId));
        Assert.Equal((username, clientOrderId), (readUsername, readClientOrderId));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("alice")] // no slash
    [InlineData("/a1")] // empty username
    [InlineData("alice/")] // empty clientOrderId
    [InlineData("/")]
    [InlineData("desk1/alice/a1")] // more than one unescaped slash
    [InlineData("alice/a1/")]
    [InlineData("alice/a%")] // a percent without two hex digits
    [InlineData("alice/a%4")]
    [InlineData("alice/a%zz")]
    [InlineData("al%G1ce/a1")]
    [InlineData("alice/%C3")] // a UTF-8 sequence cut short
    [InlineData("%FF/a1")] // a byte UTF-8 never uses
    [InlineData("ab%FF/a1")] // valid bytes before one UTF-8 never uses: refused whole, not cut to "ab"
    [InlineData("%C0%AF/a1")] // an overlong '/'
    [InlineData("zoë/a1")] // a character Format always escapes
    [InlineData("%C2\u0080/a1")] // U+0080 unescaped, the lowest non-ASCII character: with %C2 before it, valid UTF-8
    [InlineData("%G0%9F%9A%80/a1")] // a bad first hex digit where the rest would make a valid 4-byte sequence
    [InlineData("%F0%9F%9A%8G/a1")] // a bad second hex digit
    public void TryParse_refuses_a_malformed_value(string? value)
    {
        Assert.False(PrecedingOrder.TryParse(value, out var username, out var clientOrderId));
        Assert.Equal(("", ""), (username, clientOrderId));
    }

    [Theory]
    [InlineData("", "a1")]
    [InlineData("alice", "")]
    public void Format_refuses_an_empty_part(string username, string clientOrderId)
    {
        Assert.Throws<ArgumentException>(() => PrecedingOrder.Format(username, clientOrderId));
    }
}
