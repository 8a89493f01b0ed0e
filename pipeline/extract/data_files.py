"""Text that is data, not a document: a configuration file or a data file given as an agreement.

A text reader reads any text, and a ``sources.toml`` that mentions ``tulossopimukset`` in a comment
or a URL would come out as an "agreement" titled by its first comment. The evidence here is the
file's syntax, not its words: prose never parses as TOML, INI or JSON (a line of Finnish text is not a
``key = value``, a ``[section]`` or a JSON value), so a text that parses whole as one of them is data.
YAML parses almost any text (a line of prose is a YAML string), so it counts only under its own
suffix. Markup (HTML, XML) is refused by its first tag: it is not a format the readers take.
"""

from __future__ import annotations

import configparser
import json
import tomllib
from pathlib import Path

_MARKUP = ("<?xml", "<!doctype", "<html")


def data_format(text: str, path: Path) -> str | None:
    """What kind of data file ``text`` is (``"a TOML file"``, …), or None for a document.

    Only a text that parses completely, into at least one key or section, counts: a document that
    quotes a line of configuration still fails to parse as a whole.
    """
    head = text.lstrip()[:20].lower()
    if head.startswith(_MARKUP):
        return "an HTML page" if "html" in head else "an XML file"
    if _parses(lambda: tomllib.loads(text)):
        return "a TOML file"
    if _parses(lambda: _ini(text)):
        return "an INI file"
    if head[:1] in ("{", "[") and _parses(lambda: json.loads(text), kinds=(dict, list)):
        return "a JSON file"
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        if _parses(lambda: yaml.safe_load(text), kinds=(dict, list)):
            return "a YAML file"
    return None


def _ini(text: str) -> list[str]:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read_string(text)
    return parser.sections()


def _parses(parse, kinds: tuple[type, ...] = (dict, list)) -> bool:
    """True when ``parse()`` gives a non-empty mapping or list."""
    try:
        value = parse()
    except Exception:  # any parser's own error: not this syntax
        return False
    return isinstance(value, kinds) and bool(value)
