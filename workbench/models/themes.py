"""Keyed themes: topic names with seed words, read from a TOML file."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import shown


@dataclass(frozen=True)
class Themes:
    """Keyed themes: name -> seed words, in file order."""

    names: tuple[str, ...]
    words: tuple[tuple[str, ...], ...]

    @property
    def k(self) -> int:
        return len(self.names)


def load_themes(path: Path) -> Themes:
    """Read a TOML file mapping theme names to seed words::

        [themes]
        脱贫攻坚 = ["脱贫", "扶贫", "贫困户", "第一书记", "驻村"]

    (a top-level table of arrays works too).
    """
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{shown(path)}: cannot read themes file ({exc})") from None
    table = data.get("themes", data)
    names, words = [], []
    for name, seeds in table.items():
        if not isinstance(seeds, list) or not all(isinstance(w, str) for w in seeds) or not seeds:
            raise ValueError(f"{shown(path)}: theme '{name}' must be a non-empty list of words")
        names.append(str(name))
        words.append(tuple(seeds))
    if not names:
        raise ValueError(f"{shown(path)}: no themes found")
    return Themes(tuple(names), tuple(words))
