using OrderFunctions.Orders;

using OrderFunctions.Tests.Hosting;
namespace OrderFunctions.Tests.Ingestion;

public sealed class OrderValidatorTests
{
    private static OrderRequest Valid() => new()
    {
        Timestamp = "2026-11-27T10:15:30.123Z",
        Username = "alice",
        Market = "BTC-USD",
        Side = "buy",
        Size = 0.1m,
        Price = 43000.12345678m,
    };

    private static (Order? Order, Dictionary<string, string[]> Errors) Validate(OrderRequest request)
    {
        var errors = new ValidationErrors();
        var order = OrderValidator.Validate(request, errors);
        return (order, errors.ToDictionary());
    }

    [Fact]
    public void Validate_returns_order_when_every_field_is_valid()
    {
        var (order, errors) = Validate(Valid());

        Assert.Empty(errors);
        Assert.Equal(new Order(new DateTime(2026, 11, 27, 10, 15, 30, 123, DateTimeKind.Utc), "alice", "BTC-USD", "buy", 0.1m, 43000.12345678m),
            order);
    }

    [Theory]
    [InlineData("2026-11-27 10:15:30.123456", "2026-11-27T10:15:30.1234560Z")] // Python's str(datetime.utcnow())
    [InlineData("2026-11-27 10:15:30", "2026-11-27T10:15:30.0000000Z")]
    [InlineData("2026-11-27T10:15:30Z", "2026-11-27T10:15:30.0000000Z")]
    [InlineData("2026-11-27T12:15:30.5+02:00", "2026-11-27T10:15:30.5000000Z")]
    [InlineData("2026-11-27T05:15:30.1234567-05:00", "2026-11-27T10:15:30.1234567Z")]
    [InlineData("2026-11-27T10:15", "2026-11-27T10:15:00.0000000Z")]
    [InlineData("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.0000000Z")]
    [InlineData("0001-01-01T00:00:00-00:01", "0001-01-01T00:01:00.0000000Z")]
    [InlineData("0001-01-01T14:00:00+14:00", "0001-01-01T00:00:00.0000000Z")]
    [InlineData("9999-12-31T23:59:59.9999999Z", "9999-12-31T23:59:59.9999999Z")]
    [InlineData("9999-12-31T23:59:59.9999999+00:01", "9999-12-31T23:58:59.9999999Z")]
    [InlineData("2026-11-27 10:15+01:00", "2026-11-27T09:15:00.0000000Z")]
    public void Validate_normalises_timestamp_to_utc_when_iso_8601(string posted, string expectedUtc)
    {
        var request = Valid();
        request.Timestamp = posted;

        var (order, _) = Validate(request);

        Assert.NotNull(order);
        Assert.Equal(DateTimeKind.Utc, order.Timestamp.Kind);
        Assert.Equal(expectedUtc, order.Timestamp.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'"));
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("27/11/2026 10:15")]
    [InlineData("2026-13-01T00:00:00Z")]
    [InlineData("2026-11-27T10:15:30.12345678Z")]
    [InlineData("1732700000")]
    [InlineData("")]
    [InlineData("0001-01-01T00:00:00+00:01")] // one minute before the first instant: was stored as 0001-01-01T23:59Z
    [InlineData("0001-01-01T00:00:00+14:00")]
    [InlineData("0001-01-01T13:59:59.9999999+14:00")]
    [InlineData("0001-01-01 00:00+00:01")]
    [InlineData("9999-12-31T23:59:59.9999999-00:01")] // a minute past the last instant
    [InlineData("9999-12-31T20:00:00-14:00")]
    public void Validate_names_timestamp_when_not_iso_8601_or_outside_year_1_to_9999(string posted)
    {
        var request = Valid();
        request.Timestamp = posted;

        var (order, errors) = Validate(request);

        Assert.Null(order);
        Assert.Equal(["timestamp"], errors.Keys);
    }

    [Theory]
    [InlineData("BUY", "buy")]
    [InlineData("Sell", "sell")]
    [InlineData("sell", "sell")]
    public void Validate_normalises_side_when_any_case(string posted, string stored)
    {
        var request = Valid();
        request.Side = posted;

        Assert.Equal(stored, Validate(request).Order?.Side);
    }

    [Theory]
    [InlineData("side", "hold")]
    [InlineData("side", "")]
    [InlineData("username", "")]
    [InlineData("username", "   ")]
    [InlineData("username", "bad\u0001name")]
    [InlineData("market", "")]
    [InlineData("market", "BTC USD")]
    [InlineData("market", "-BTC")]
    [InlineData("market", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456")]
    [InlineData("clientOrderId", "")]
    [InlineData("clientOrderId", "has space")]
    [InlineData("clientOrderId", "é")]
    public void Validate_names_field_when_string_is_invalid(string field, string value)
    {
        var request = Valid();
        typeof(OrderRequest).GetProperty(char.ToUpperInvariant(field[0]) + field[1..])!.SetValue(request, value);

        var (order, errors) = Validate(request);

        Assert.Null(order);
        Assert.Equal([field], errors.Keys);
    }

    [Fact]
    public void Validate_names_username_when_longer_than_64()
    {
        var request = Valid();
        request.Username = new string('u', 65);

        Assert.Equal(["username"], Validate(request).Errors.Keys);
        request.Username = new string('u', 64);
        Assert.Empty(Validate(request).Errors);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("0.000000001")]
    [InlineData("10000000000")]
    [InlineData("1.123456789")]
    public void Validate_names_size_and_price_when_not_positive_or_not_keepable(string value)
    {
        var request = Valid();
        request.Size = decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
        request.Price = request.Size;

        var (order, errors) = Validate(request);

        Assert.Null(order);
        Assert.Equal(["price", "size"], errors.Keys.Order());
    }

    [Theory]
    [InlineData("0.00000001")]
    [InlineData("9999999999.99999999")]
    [InlineData("0.1")]
    [InlineData("43000.12345678")]
    public void Validate_keeps_size_exactly_when_within_precision(string value)
    {
        var request = Valid();
        request.Size = decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(value, Validate(request).Order?.Size.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Validate_drops_trailing_zeros_when_value_has_them()
    {
        var request = Valid();
        request.Size = 1.50m;

        Assert.Equal("1.5", Validate(request).Order?.Size.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Validate_names_every_field_when_all_are_missing()
    {
        var (order, errors) = Validate(new OrderRequest());

        Assert.Null(order);
        Assert.Equal(["market", "price", "side", "size", "timestamp", "username"], errors.Keys.Order());
        Assert.All(errors.Values, messages => Assert.Equal(["is required"], messages));
    }

    [Fact]
    public void Validate_prefixes_keys_when_given_an_index()
    {
        var request = Valid();
        request.Price = -1;
        var errors = new ValidationErrors();

        OrderValidator.Validate(request, errors, index: 7);

        Assert.Equal(["[7].price"], errors.ToDictionary().Keys);
    }
}
