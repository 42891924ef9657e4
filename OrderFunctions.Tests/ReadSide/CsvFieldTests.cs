using System.Text;
using OrderFunctions.Http;

namespace OrderFunctions.Tests.ReadSide;

/// <summary>The export's CSV fields: quoted exactly when RFC 4180 requires it, wherever the special character stands.</summary>
public sealed class CsvFieldTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("", "")]
    [InlineData(",first", "\",first\"")]          // the special character first: IndexOfAny answers 0
    [InlineData("\"quoted\" name", "\"\"\"quoted\"\" name\"")]
    [InlineData("\rcarriage", "\"\rcarriage\"")]
    [InlineData("\nline", "\"\nline\"")]
    [InlineData("last,", "\"last,\"")]
    [InlineData("a \"b\" c", "\"a \"\"b\"\" c\"")]
    public void Append_quotes_the_field_and_doubles_its_quotes_when_it_holds_a_comma_quote_CR_or_LF(string value, string expected)
    {
        var line = new StringBuilder("x,");

        var returned = CsvField.Append(line, value);

        Assert.Same(line, returned);
        Assert.Equal("x," + expected, line.ToString());
    }
}
