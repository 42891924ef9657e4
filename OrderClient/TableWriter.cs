using System.Text;

namespace OrderClient;

/// <summary>
/// An aligned table written as its rows arrive, a page at a time, so nothing is held back. With fixed
/// <c>widths</c> every column keeps its width for the whole table (page 2 lines up with page 1) and a longer text
/// cell is shortened with '…' (<see cref="Shortened"/>); without, the header and the first rows set the widths and
/// later rows only widen them. Columns named in the right-aligned set (numbers) are padded on the left and, with
/// fixed widths, must be given widths that fit every value (they are never shortened).
/// </summary>
public sealed class TableWriter(TextWriter output, IReadOnlyList<string> headers, ISet<int> rightAligned, IReadOnlyList<int>? widths = null)
{
    private int[]? _widths;

    /// <summary>Whether some cell was shortened to fit its fixed column.</summary>
    public bool Shortened { get; private set; }

    /// <summary>Writes <paramref name="rows"/>, after the header and its underline when this is the first call.</summary>
    public void Write(IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var first = _widths is null;
        _widths ??= widths is null ? [.. headers.Select(h => h.Length)] : [.. widths.Select((w, i) => Math.Max(w, headers[i].Length))];
        if (widths is null)
        {
            foreach (var row in rows)
            {
                for (var i = 0; i < _widths.Length; i++) _widths[i] = Math.Max(_widths[i], row[i].Length);
            }
        }
        if (first)
        {
            WriteRow(headers);
            WriteRow([.. _widths.Select(w => new string('-', w))]);
        }
        foreach (var row in rows) WriteRow(row);
    }

    private void WriteRow(IReadOnlyList<string> cells)
    {
        var line = new StringBuilder();
        for (var i = 0; i < _widths!.Length; i++)
        {
            if (i > 0) line.Append("  ");
            var cell = cells[i];
            if (cell.Length > _widths[i] && !rightAligned.Contains(i))
            {
                cell = string.Concat(cell.AsSpan(0, _widths[i] - 1), "…");
                Shortened = true;
            }
            line.Append(rightAligned.Contains(i) ? cell.PadLeft(_widths[i]) : cell.PadRight(_widths[i]));
        }
        output.WriteLine(line.ToString().TrimEnd());
    }
}

/// <summary>RFC 4180 rows: a field with a comma, quote or line break is quoted, its quotes doubled.</summary>
public static class CsvWriter
{
    public static void WriteRow(TextWriter output, IReadOnlyList<string> fields)
    {
        var line = new StringBuilder();
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0) line.Append(',');
            var field = fields[i];
            if (field.AsSpan().IndexOfAny(",\"\r\n") >= 0) line.Append('"').Append(field.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            else line.Append(field);
        }
        // RFC 4180 ends records with CRLF, whatever the platform.
        output.Write(line.Append("\r\n").ToString());
    }
}
