"""OpenQASM source highlighted on the server with Pygments (it ships no QASM lexer, so a small
one is here: keywords, types, gates, numbers, strings, comments)."""

from __future__ import annotations

from functools import cache

from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import RegexLexer, words
from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, String, Text

_KEYWORDS = (
    "OPENQASM",
    "include",
    "gate",
    "opaque",
    "def",
    "defcal",
    "return",
    "if",
    "else",
    "for",
    "in",
    "while",
    "break",
    "continue",
    "end",
    "reset",
    "barrier",
    "measure",
    "input",
    "output",
    "const",
    "let",
    "box",
    "delay",
    "ctrl",
    "inv",
    "pow",
    "negctrl",
)
_TYPES = (
    "qreg",
    "creg",
    "qubit",
    "bit",
    "int",
    "uint",
    "float",
    "angle",
    "bool",
    "complex",
    "duration",
    "stretch",
    "array",
)
_CONSTANTS = ("pi", "π", "tau", "τ", "euler", "ℇ", "true", "false")


class OpenQasmLexer(RegexLexer):
    name = "OpenQASM"
    aliases = ["qasm", "openqasm"]
    filenames = ["*.qasm"]

    tokens = {
        "root": [
            (r"\s+", Text),
            (r"//.*?$", Comment.Single),
            (r"/\*", Comment.Multiline, "comment"),
            (r'"[^"\n]*"', String),
            (words(_KEYWORDS, suffix=r"\b"), Keyword),
            (words(_TYPES, suffix=r"\b"), Keyword.Type),
            (words(_CONSTANTS, suffix=r"\b"), Name.Constant),
            (r"\d+\.\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|\d+[eE][+-]?\d+", Number.Float),
            (r"\d+(ns|us|µs|ms|s|dt)?", Number.Integer),
            (r"[A-Za-z_][A-Za-z0-9_]*(?=\s*(\(|\s+[A-Za-z_$]))", Name.Function),
            (r"[A-Za-z_$][A-Za-z0-9_]*", Name),
            (r"->|==|!=|<=|>=|&&|\|\||[-+*/%=<>!&|^~@]", Operator),
            (r"[\[\](){},;:.]", Punctuation),
            (r".", Text),
        ],
        "comment": [
            (r"[^*/]+", Comment.Multiline),
            (r"\*/", Comment.Multiline, "#pop"),
            (r"[*/]", Comment.Multiline),
        ],
    }


_FORMATTER = HtmlFormatter(cssclass="source", linenos="table", wrapcode=True)


def highlight_qasm(source: str) -> Markup:
    """HTML for the source, every character escaped by Pygments."""
    return Markup(highlight(source, OpenQasmLexer(), _FORMATTER))


@cache
def stylesheet() -> str:
    """The token colours, served as a stylesheet of the app (no inline styles on the page)."""
    light = HtmlFormatter(style="friendly").get_style_defs(".source")
    return light + "\n.source .linenos, .source .linenodiv { color: #8a8f98; user-select: none; }\n"
