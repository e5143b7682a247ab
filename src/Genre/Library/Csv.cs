using System.Text;

namespace Genre.Library;

/// <summary>RFC 4180 fields: quoted when they hold a comma, quote or line break; records split back the same way.</summary>
public static class Csv
{
    public static string Quote(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;

    /// <summary>The records of CSV text (a line break inside quotes stays in its field); a last record without
    /// its line break is dropped as unfinished.</summary>
    public static IEnumerable<List<string>> Records(TextReader reader)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int c; (c = reader.Read()) >= 0;)
        {
            if (quoted)
            {
                if (c != '"') field.Append((char)c);
                else if (reader.Peek() == '"') { reader.Read(); field.Append('"'); }
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else if (c == '\n')
            {
                fields.Add(field.ToString().TrimEnd('\r'));
                field.Clear();
                yield return fields;
                fields = new List<string>();
            }
            else field.Append((char)c);
        }
    }
}
