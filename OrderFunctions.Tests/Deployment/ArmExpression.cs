using System.Text;

namespace OrderFunctions.Tests.Deployment;

/// <summary>Just enough of ARM's template expression syntax to read a compiled function call's arguments back.</summary>
internal static class ArmExpression
{
    /// <summary>The text between the parentheses of <paramref name="function"/>, the expression's outermost call.</summary>
    public static string Body(string expression, string function)
    {
        var text = expression.StartsWith('[') && expression.EndsWith(']') ? expression[1..^1] : expression;
        Assert.StartsWith(function + "(", text);
        Assert.EndsWith(")", text);
        return text[(function.Length + 1)..^1];
    }

    /// <summary>The top-level arguments of a call's body, split at commas outside strings and parentheses.</summary>
    public static List<string> Arguments(string body)
    {
        var arguments = new List<string>();
        var current = new StringBuilder();
        var depth = 0;
        var quoted = false;
        foreach (var c in body)
        {
            if (c == '\'') quoted = !quoted; // '' inside a string toggles twice: still inside
            else if (!quoted && c is '(' or '[') depth++;
            else if (!quoted && c is ')' or ']') depth--;
            if (!quoted && depth == 0 && c == ',')
            {
                arguments.Add(current.ToString().Trim());
                current.Clear();
            }
            else current.Append(c);
        }
        arguments.Add(current.ToString().Trim());
        return arguments;
    }

    /// <summary>The string a quoted literal argument stands for; null when the argument is an expression.</summary>
    public static string? Literal(string argument) =>
        argument.Length >= 2 && argument[0] == '\'' && argument[^1] == '\'' && !argument[1..^1].Replace("''", "").Contains('\'')
            ? argument[1..^1].Replace("''", "'")
            : null;

    /// <summary>An argument as a compiled object literal would hold it: the literal's text, else [expression].</summary>
    public static string Shown(string argument) => Literal(argument) ?? $"[{argument}]";
}
