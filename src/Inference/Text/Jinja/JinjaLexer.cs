using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace VerlOrleans.Inference.Text.Jinja;

/// <summary>
/// Jinja2's lexer with the settings transformers uses for chat templates: <c>trim_blocks</c> (the newline after
/// a block tag goes), <c>lstrip_blocks</c> (spaces and tabs before a block tag on its own line go),
/// <c>keep_trailing_newline=False</c>, and the <c>-</c>/<c>+</c> whitespace controls. Newlines in the source
/// are normalized to <c>\n</c> first, as Jinja does.
/// </summary>
internal sealed partial class JinjaLexer
{
    private static readonly string[] Operators =
        ["**", "//", "==", "!=", ">=", "<=", "+", "-", "*", "/", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";"];

    private readonly string _source;
    private readonly int[] _lineStarts;
    private readonly List<JinjaToken> _tokens = [];
    private int _position;
    private bool _lineStarting = true;

    private JinjaLexer(string source)
    {
        _source = source;
        var starts = new List<int> { 0 };
        for (var i = 0; i < source.Length; i++)
        {
            if (source[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }

        _lineStarts = [.. starts];
    }

    public static List<JinjaToken> Tokenize(string template)
    {
        var source = NewlinePattern().Replace(template, "\n");
        if (source.EndsWith('\n'))
        {
            source = source[..^1];
        }

        var lexer = new JinjaLexer(source);
        lexer.Run();
        lexer._tokens.Add(new JinjaToken(JinjaTokenKind.End, "", lexer.LineOf(source.Length), lexer.ColumnOf(source.Length)));
        return lexer._tokens;
    }

    private void Run()
    {
        while (_position < _source.Length)
        {
            var open = _source.IndexOf('{', _position);
            while (open >= 0 && (open + 1 >= _source.Length || _source[open + 1] is not ('{' or '%' or '#')))
            {
                open = _source.IndexOf('{', open + 1);
            }

            if (open < 0)
            {
                AddData(_source[_position..], _position);
                return;
            }

            var kind = _source[open + 1];
            var sign = open + 2 < _source.Length && _source[open + 2] is '-' or '+' ? _source[open + 2] : '\0';
            var text = ApplyLeftWhitespaceControl(_source[_position..open], sign, kind != '{');
            AddData(text, _position);
            _position = open + 2 + (sign == '\0' ? 0 : 1);
            _lineStarting = false;

            switch (kind)
            {
                case '#':
                    SkipComment(open);
                    break;
                case '%' when TryRaw(open):
                    break;
                default:
                    _tokens.Add(new JinjaToken(kind == '%' ? JinjaTokenKind.BlockBegin : JinjaTokenKind.VariableBegin, "", LineOf(open), ColumnOf(open)));
                    LexTag(block: kind == '%', open);
                    break;
            }
        }
    }

    private string ApplyLeftWhitespaceControl(string text, char sign, bool lstripApplies)
    {
        if (sign == '-')
        {
            return TrimEndPythonWhitespace(text);
        }

        if (sign != '+' && lstripApplies)
        {
            var lineStart = text.LastIndexOf('\n') + 1;
            if ((lineStart > 0 || _lineStarting) && text.AsSpan(lineStart).IndexOfAnyExcept(' ', '\t') < 0)
            {
                return text[..lineStart];
            }
        }

        return text;
    }

    private void SkipComment(int open)
    {
        var close = _source.IndexOf("#}", _position, StringComparison.Ordinal);
        if (close < 0)
        {
            throw Error("missing end of comment tag", open);
        }

        var sign = close > _position && _source[close - 1] is '-' or '+' ? _source[close - 1] : '\0';
        _position = close + 2;
        ApplyRightWhitespaceControl(sign, block: true);
    }

    /// <summary><c>{% raw %}...{% endraw %}</c>: everything between is data, unlexed.</summary>
    private bool TryRaw(int open)
    {
        var begin = RawBeginPattern().Match(_source, _position);
        if (!begin.Success)
        {
            return false;
        }

        var end = RawEndPattern().Match(_source, begin.Index + begin.Length);
        if (!end.Success)
        {
            throw Error("missing end of raw directive", open);
        }

        // Jinja's raw-begin rule has no trim_blocks newline, only the '-' control.
        var bodyStart = begin.Index + begin.Length;
        if (begin.Groups["close"].Value == "-")
        {
            while (bodyStart < end.Index && IsPythonWhitespace(_source[bodyStart]))
            {
                bodyStart++;
            }
        }

        AddData(ApplyLeftWhitespaceControl(_source[bodyStart..end.Index], SignOf(end.Groups["open"].Value), lstripApplies: true), bodyStart);
        _position = end.Index + end.Length;
        ApplyRightWhitespaceControl(SignOf(end.Groups["close"].Value), block: true);
        return true;
    }

    private static char SignOf(string group) => group.Length == 1 ? group[0] : '\0';

    private void LexTag(bool block, int open)
    {
        var depth = 0;
        while (true)
        {
            if (_position >= _source.Length)
            {
                throw Error($"unexpected end of template, expected '{(block ? "%}" : "}}")}'", open);
            }

            var c = _source[_position];
            if (IsPythonWhitespace(c))
            {
                _position++;
                continue;
            }

            if (depth == 0 && TryTagEnd(block))
            {
                return;
            }

            var start = _position;
            if (c is '\'' or '"')
            {
                _tokens.Add(new JinjaToken(JinjaTokenKind.String, ReadString(c), LineOf(start), ColumnOf(start)));
            }
            else if (char.IsAsciiDigit(c))
            {
                var number = NumberPattern().Match(_source, _position);
                _position += number.Length;
                var isFloat = number.Value.Contains('.', StringComparison.Ordinal) || number.Value.Contains('e', StringComparison.OrdinalIgnoreCase);
                _tokens.Add(new JinjaToken(isFloat ? JinjaTokenKind.Float : JinjaTokenKind.Integer, number.Value.Replace("_", "", StringComparison.Ordinal), LineOf(start), ColumnOf(start)));
            }
            else if (char.IsLetter(c) || c == '_')
            {
                while (_position < _source.Length && (char.IsLetterOrDigit(_source[_position]) || _source[_position] == '_'))
                {
                    _position++;
                }

                _tokens.Add(new JinjaToken(JinjaTokenKind.Name, _source[start.._position], LineOf(start), ColumnOf(start)));
            }
            else
            {
                var op = Array.Find(Operators, o => string.CompareOrdinal(_source, _position, o, 0, o.Length) == 0)
                    ?? throw Error($"unexpected character '{c}'", _position);
                depth += op is "(" or "[" or "{" ? 1 : op is ")" or "]" or "}" ? -1 : 0;
                if (depth < 0)
                {
                    throw Error($"unexpected '{op}'", _position);
                }

                _position += op.Length;
                _tokens.Add(new JinjaToken(JinjaTokenKind.Operator, op, LineOf(start), ColumnOf(start)));
            }
        }
    }

    private bool TryTagEnd(bool block)
    {
        var close = block ? "%}" : "}}";
        var sign = _source[_position] is '-' or '+' ? _source[_position] : '\0';
        var at = _position + (sign == '\0' ? 0 : 1);
        if (string.CompareOrdinal(_source, at, close, 0, 2) != 0 || (sign == '+' && !block))
        {
            return false;
        }

        _tokens.Add(new JinjaToken(block ? JinjaTokenKind.BlockEnd : JinjaTokenKind.VariableEnd, "", LineOf(_position), ColumnOf(_position)));
        _position = at + 2;
        ApplyRightWhitespaceControl(sign, block);
        return true;
    }

    /// <summary>After a tag: <c>-</c> eats all whitespace, trim_blocks eats one newline after block tags, <c>+</c> keeps it.</summary>
    private void ApplyRightWhitespaceControl(char sign, bool block)
    {
        if (sign == '-')
        {
            while (_position < _source.Length && IsPythonWhitespace(_source[_position]))
            {
                _position++;
            }
        }
        else if (sign != '+' && block && _position < _source.Length && _source[_position] == '\n')
        {
            _position++;
        }

        _lineStarting = _position > 0 && _source[_position - 1] == '\n';
    }

    /// <summary>A quoted literal, unescaped the way Python's <c>unicode-escape</c> codec does it (Jinja's choice).</summary>
    private string ReadString(char quote)
    {
        var start = _position++;
        var builder = new StringBuilder();
        while (true)
        {
            if (_position >= _source.Length)
            {
                throw Error("unterminated string", start);
            }

            var c = _source[_position++];
            if (c == quote)
            {
                return builder.ToString();
            }

            if (c != '\\')
            {
                builder.Append(c);
                continue;
            }

            if (_position >= _source.Length)
            {
                throw Error("unterminated string", start);
            }

            var escape = _source[_position++];
            switch (escape)
            {
                case '\n': break;
                case '\\' or '\'' or '"': builder.Append(escape); break;
                case 'n': builder.Append('\n'); break;
                case 't': builder.Append('\t'); break;
                case 'r': builder.Append('\r'); break;
                case 'a': builder.Append('\a'); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'v': builder.Append('\v'); break;
                case 'x': builder.Append(ReadHexEscape(2, start)); break;
                case 'u': builder.Append(ReadHexEscape(4, start)); break;
                case 'U': builder.Append(ReadHexEscape(8, start)); break;
                case >= '0' and <= '7':
                    var octal = escape - '0';
                    for (var n = 0; n < 2 && _position < _source.Length && _source[_position] is >= '0' and <= '7'; n++)
                    {
                        octal = (octal * 8) + (_source[_position++] - '0');
                    }

                    builder.Append((char)octal);
                    break;
                default:
                    // Python keeps an unknown escape as written.
                    builder.Append('\\').Append(escape);
                    break;
            }
        }
    }

    private string ReadHexEscape(int digits, int stringStart)
    {
        if (_position + digits > _source.Length
            || !int.TryParse(_source.AsSpan(_position, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            || value > 0x10FFFF)
        {
            throw Error($"truncated \\{(digits == 2 ? 'x' : digits == 4 ? 'u' : 'U')} escape in string", stringStart);
        }

        _position += digits;
        return char.ConvertFromUtf32(value is >= 0xD800 and <= 0xDFFF ? 0xFFFD : value);
    }

    private void AddData(string text, int at)
    {
        if (text.Length > 0)
        {
            _tokens.Add(new JinjaToken(JinjaTokenKind.Data, text, LineOf(at), ColumnOf(at)));
        }
    }

    private int LineOf(int position)
    {
        var index = Array.BinarySearch(_lineStarts, position);
        return (index >= 0 ? index : ~index - 1) + 1;
    }

    private int ColumnOf(int position) => position - _lineStarts[LineOf(position) - 1] + 1;

    private JinjaException Error(string message, int position) => new(JinjaErrorKind.Syntax, message, LineOf(position), ColumnOf(position));

    /// <summary>Python's <c>str.isspace</c>, which Jinja's <c>-</c> control and <c>\s</c> follow (it includes U+001C..U+001F).</summary>
    public static bool IsPythonWhitespace(char c) => char.IsWhiteSpace(c) || c is >= '\u001C' and <= '\u001F';

    public static string TrimEndPythonWhitespace(string text)
    {
        var end = text.Length;
        while (end > 0 && IsPythonWhitespace(text[end - 1]))
        {
            end--;
        }

        return text[..end];
    }

    [GeneratedRegex(@"\r\n|\r|\n")]
    private static partial Regex NewlinePattern();

    [GeneratedRegex(@"\G\s*raw\s*(?<close>-?)%}")]
    private static partial Regex RawBeginPattern();

    [GeneratedRegex(@"{%(?<open>[-+]?)\s*endraw\s*(?<close>[-+]?)%}")]
    private static partial Regex RawEndPattern();

    [GeneratedRegex(@"\G(?:\d+(?:_\d+)*)(?:\.\d+(?:_\d+)*)?(?:[eE][+\-]?\d+(?:_\d+)*)?")]
    private static partial Regex NumberPattern();
}
