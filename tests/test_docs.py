"""Every command and option is documented: in its --help text, and the command in README.md
(as sqlite-utils' tests/test_docs.py checks its CLI)."""
import argparse
import re
from pathlib import Path

import pytest

from workbench.cli import build_parser, main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
PARSER = build_parser()
COMMANDS = next(a for a in PARSER._actions if isinstance(a, argparse._SubParsersAction))


def test_there_are_commands():
    assert {"train", "ingest", "export", "label", "compare", "verify"} <= set(COMMANDS.choices)


@pytest.mark.parametrize("name", sorted(COMMANDS.choices))
def test_command_has_a_summary_and_a_description(name):
    summary = {a.dest: a.help for a in COMMANDS._choices_actions}[name]
    assert summary and summary.strip(), f"`workbench {name}` has no one-line help in `workbench --help`"
    description = COMMANDS.choices[name].description
    assert description and len(description.split()) >= 5, f"`workbench {name}` has no description"


@pytest.mark.parametrize("name", sorted(COMMANDS.choices))
def test_every_option_and_argument_has_help(name):
    for action in COMMANDS.choices[name]._actions:
        assert action.help and action.help is not argparse.SUPPRESS and action.help.strip(), \
            f"workbench {name}: {'/'.join(action.option_strings) or action.dest} has no help"


def test_top_level_options_have_help():
    for action in PARSER._actions:
        assert action.help and action.help.strip(), action.dest


@pytest.mark.parametrize("name", sorted(COMMANDS.choices))
def test_help_renders_with_every_default_filled_in(name, capsys):
    with pytest.raises(SystemExit) as exc:
        main([name, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: workbench {name}")
    assert COMMANDS.choices[name].description.split()[0] in out
    assert "%(" not in out and "<workbench.cli" not in out  # every "(default %(default)s)" resolved


@pytest.mark.parametrize("name", sorted(COMMANDS.choices))
def test_command_is_in_the_readme(name):
    assert re.search(rf"\bworkbench {name}\b", README), f"README.md never mentions `workbench {name}`"
