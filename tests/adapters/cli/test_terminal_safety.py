"""Control characters are made visible before anything reaches the terminal (issue 22, L5)."""

from io import StringIO

from hypothesis import given
from hypothesis import strategies as st
from rich.table import Table
from rich.text import Text

from qdispatch_cli import output, render


def test_clean_makes_every_control_character_visible():
    assert output.clean("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert output.clean("\x9b31m\x07\x7f") == "\\x9b31m\\x07\\x7f"
    assert output.clean("two\nlines\ttab") == "two\\x0alines\\x09tab"
    assert output.clean("two\nlines\ttab", multiline=True) == "two\nlines\ttab"
    assert output.clean("θ → ZZ · 5 qubits") == "θ → ZZ · 5 qubits"


@given(st.text())
def test_clean_leaves_no_control_character(text):
    cleaned = output.clean(text)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in cleaned)
    assert output.clean(cleaned) == cleaned  # idempotent: nothing is escaped twice


def test_the_console_cleans_text_but_keeps_its_own_colours():
    screen = StringIO()
    console = output._safe_console_class()(
        file=screen, force_terminal=True, color_system="standard", width=80, highlight=False
    )
    table = Table("name")
    table.add_row(Text("evil\x1b]0;title\x07name", style="red"))
    console.print(table)
    console.print("[green]ok[/] \x1b[2J")
    drawn = screen.getvalue()
    assert "\x1b]0;" not in drawn and "\x07" not in drawn and "\x1b[2J" not in drawn
    # (Rich drops a BEL by itself; the ESC it would keep is shown instead.)
    assert "evil\\x1b]0;titlename" in drawn and "\\x1b[2J" in drawn
    assert "\x1b[31m" in drawn and "\x1b[32m" in drawn  # Rich's colours are still drawn


def test_user_text_is_neither_markup_nor_control():
    assert render.esc("[bold]x[/]\x1b[1m") == "\\[bold]x\\[/]\\x1b[1m"
    assert render.esc("a\nb", multiline=True) == "a\nb"


def test_error_messages_are_cleaned(capsys, monkeypatch):
    output.err.cache_clear()
    output.error("404 job_id: no job 'job_\x1b[2J'")
    output.hint("see \x9b31m")
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x9b" not in err
    assert "job_\\x1b[2J" in err and "\\x9b31m" in err
