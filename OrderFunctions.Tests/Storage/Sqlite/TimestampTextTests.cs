using System.Globalization;
using System.Text;
using System.Text.Json;
using OrderFunctions.Orders;
using OrderFunctions.Storage.Sqlite;

namespace OrderFunctions.Tests.Storage.Sqlite;

/// <summary>
/// The fixed-width timestamp text written for every stored order (the SQLite row's timestamp and received_at, the
/// answer's receivedAt) is byte for byte what the custom format it replaced wrote: stored files and clients see no change.
/// </summary>
public sealed class TimestampTextTests
{
    public static TheoryData<long> Instants()
    {
        var data = new TheoryData<long>
        {
            DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks, new DateTime(999, 12, 31, 23, 59, 59, DateTimeKind.Utc).Ticks,
            new DateTime(2026, 12, 6, 19, 56, 52, DateTimeKind.Utc).Ticks + 1_234_560, new DateTime(2024, 2, 29).Ticks + 9_999_999,
        };
        var random = new Random(19);
        for (var i = 0; i < 40; i++) data.Add(random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks));
        return data;
    }

    [Theory]
    [MemberData(nameof(Instants))]
    public void Write_equals_the_custom_format_when_given_any_instant(long ticks)
    {
        foreach (var kind in new[] { DateTimeKind.Utc, DateTimeKind.Unspecified, DateTimeKind.Local })
        {
            // Arrange
            var value = new DateTime(ticks, kind);
            var text = new byte[TimestampText.Length];

            // Act
            SqliteOrderSchema.FormatTimestamp(value, text);

            // Assert
            Assert.Equal(value.ToString(SqliteOrderSchema.TimestampFormat, CultureInfo.InvariantCulture), Encoding.UTF8.GetString(text));
        }
    }

    [Theory]
    [MemberData(nameof(Instants))]
    public void ReceivedAt_is_written_as_the_custom_format_of_its_utc_instant_when_serialized(long ticks)
    {
        // Arrange
        var value = new DateTime(ticks, DateTimeKind.Utc);
        var order = new StoredOrder(1, value, "alice", "BTC-USD", "buy", 1m, 2m, ReceivedAt: value);

        // Act
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(order, JsonSerializerOptions.Web));

        // Assert
        Assert.Equal(value.ToString(ReceivedAtConverter.Format, CultureInfo.InvariantCulture),
            json.RootElement.GetProperty("receivedAt").GetString());
    }

    [Fact]
    public void Write_throws_naming_the_destination_when_it_is_shorter_than_Length()
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => TimestampText.Write(DateTime.UnixEpoch, new byte[TimestampText.Length - 1]));

        Assert.Equal("destination", exception.ParamName);
    }
}
