"""Gallery tables: markdown and CSV rendering, and ``fastmap figure`` printing or writing them."""

import csv
import io
import math

import pytest
from typer.testing import CliRunner

from fastmap import cli, gallery

TABLE = gallery.Table("Table 9: demo", ["structure", "price", "profit"],
                      [["S1", 0.5, 1 / 3], ["GS1", math.nan, 2]], note="rounded as printed")


@pytest.fixture
def demo_table(monkeypatch):
    monkeypatch.setitem(gallery.figures(), "demo_table", lambda: TABLE)


def test_markdown_has_title_header_rows_and_note():
    lines = TABLE.to_markdown().splitlines()
    assert lines[0] == "**Table 9: demo**"
    assert lines[2] == "| structure | price | profit |" and lines[3] == "|---|---|---|"
    assert lines[4] == "| S1 | 0.5 | 0.333333 |" and lines[5] == "| GS1 | NaN | 2 |"
    assert lines[-1] == "*rounded as printed*"


def test_csv_keeps_full_precision():
    rows = list(csv.reader(io.StringIO(TABLE.to_csv())))
    assert rows[0] == TABLE.columns
    assert float(rows[1][2]) == 1 / 3 and math.isnan(float(rows[2][1]))


def test_cli_prints_markdown_and_writes_files(demo_table, tmp_path):
    runner = CliRunner()
    printed = runner.invoke(cli.app, ["figure", "demo_table"])
    assert printed.exit_code == 0 and printed.stdout == TABLE.to_markdown()
    for suffix, render in ((".csv", TABLE.to_csv), (".md", TABLE.to_markdown)):
        target = tmp_path / f"t{suffix}"
        result = runner.invoke(cli.app, ["figure", "demo_table", "--out", str(target)])
        assert result.exit_code == 0 and target.read_text() == render()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv", "t.md"]


def test_cli_refuses_image_format_for_a_table(demo_table, tmp_path):
    result = CliRunner().invoke(cli.app, ["figure", "demo_table", "--out", str(tmp_path / "t.png")])
    assert result.exit_code == 2 and "demo_table is a table; allowed formats: .csv, .md" in result.stderr
    assert not list(tmp_path.iterdir())


def test_cli_refuses_unknown_format_before_computing(tmp_path):
    result = CliRunner().invoke(cli.app, ["figure", "itc_fig3", "--out", str(tmp_path / "f.jpg")])
    assert result.exit_code == 2 and "unsupported output format '.jpg'" in result.stderr
    assert not list(tmp_path.iterdir())
