using System.Text;

namespace OrderClient;

/// <summary>
/// An aligned table written as its rows arrive, a page at a time, so nothing is held back: the header and the first
/// rows set the column widths, later rows only widen them (rows already printed stay as they were). Columns named in
/// the right-aligned set (numbers) are padded on the left.
/// </summary>
public sealed class TableWriter(TextWriter output, IReadOnlyList<string> headers, ISet<int> rightAligned)
{
    private int[]? _widths;

    /// <summary>Writes <paramref name="rows"/>, after the header and its underline when this is the first call.</summary>
    public void Write(IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var first = _widths is null;
        _widths ??= [.. headers.Select(h => h.Length)];
        foreach (var row in rows)
        {
            for (var i = 0; i < _widths.Length; i++) _widths[i] = Math.Max(_widths[i], row[i].Length);
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
            line.Append(rightAligned.Contains(i) ? cells[i].PadLeft(_widths[i]) : cells[i].PadRight(_widths[i]));
        }
        output.WriteLine(line.ToString().TrimEnd());
    }
}
