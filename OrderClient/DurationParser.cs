using System.Globalization;

namespace OrderClient;

/// <summary>
/// Durations as typed on a command line: <c>30s</c>, <c>1m</c>, <c>1m30s</c>, <c>500ms</c>, <c>2h</c>, or plain seconds (<c>45</c>, <c>2.5</c>).
/// </summary>
public static class DurationParser
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        text = text.Trim();
        if (text.Length == 0) return false;
        if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            duration = TimeSpan.FromSeconds(seconds);
            return seconds > 0;
        }
        var position = 0;
        while (position < text.Length)
        {
            var start = position;
            while (position < text.Length && (char.IsAsciiDigit(text[position]) || text[position] == '.')) position++;
            if (start == position
                || !double.TryParse(text.AsSpan(start, position - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture,
                    out var number))
            {
                return false;
            }

            var unitStart = position;
            while (position < text.Length && char.IsAsciiLetter(text[position])) position++;
            TimeSpan? part = text[unitStart..position].ToLowerInvariant() switch
            {
                "ms" => TimeSpan.FromMilliseconds(number),
                "s" => TimeSpan.FromSeconds(number),
                "m" or "min" => TimeSpan.FromMinutes(number),
                "h" => TimeSpan.FromHours(number),
                _ => null,
            };
            if (part is null) return false;
            duration += part.Value;
        }
        return duration > TimeSpan.Zero;
    }

    /// <summary>
    /// A duration as it would be typed: <c>10s</c>, <c>1m30s</c>, <c>500ms</c>, <c>2h</c> (what <see cref="TryParse"/> reads back).
    /// </summary>
    public static string Format(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero) return "0s";
        var text = new System.Text.StringBuilder();
        var c = CultureInfo.InvariantCulture;
        if (duration.Days * 24 + duration.Hours is var hours and > 0) text.Append(c, $"{hours}h");
        if (duration.Minutes > 0) text.Append(c, $"{duration.Minutes}m");
        if (duration.Seconds > 0) text.Append(c, $"{duration.Seconds}s");
        var fraction = duration - TimeSpan.FromSeconds(Math.Floor(duration.TotalSeconds));
        if (fraction > TimeSpan.Zero) text.Append(c, $"{fraction.TotalMilliseconds:0.###}ms");
        return text.ToString();
    }
}
