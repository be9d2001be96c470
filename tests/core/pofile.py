"""A small, dependency-free reader/writer for gettext .po files (as written by Django's makemessages).

Used by scripts/translate_en.py (fills the English catalogue) and by tests/core/test_english_catalogue.py.
It understands comments (#, #:, #., #,, #|), msgctxt, msgid, msgid_plural, msgstr and msgstr[n], with
multi-line C-escaped strings, and writes entries back in the same layout so diffs stay small.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")\s*$')


def unquote(token: str) -> str:
    token = token.strip()
    if len(token) < 2 or token[0] != '"' or token[-1] != '"':
        raise ValueError(f"not a quoted PO string: {token!r}")
    body, out, i = token[1:-1], [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(_ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n") + '"'


@dataclass
class Entry:
    comments: list[str] = field(default_factory=list)  # every '#' line except flags, verbatim
    flags: list[str] = field(default_factory=list)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    obsolete: bool = False

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        if self.msgid_plural is not None:
            return bool(self.msgstr_plural) and all(self.msgstr_plural.values())
        return bool(self.msgstr)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


def _field_lines(keyword: str, text: str) -> list[str]:
    if "\n" in text[:-1]:  # multi-line: split after each newline, like xgettext
        parts = re.split(r"(?<=\n)", text)
        return [f'{keyword} ""'] + [quote(p) for p in parts if p]
    return [f"{keyword} {quote(text)}"]


def parse(text: str) -> list[Entry]:
    entries: list[Entry] = []
    for block in re.split(r"\n\s*\n", text.strip("\n")):
        entry, current = Entry(), None
        for raw in block.splitlines():
            line = raw.rstrip()
            if not line:
                continue
            if line.startswith("#~"):
                entry.obsolete = True
                entry.comments.append(line)
                continue
            if line.startswith("#,"):
                entry.flags.extend(f.strip() for f in line[2:].split(",") if f.strip())
                continue
            if line.startswith("#"):
                entry.comments.append(line)
                continue
            match = _KEYWORD.match(line)
            if match:
                keyword, value = match.group(1), unquote(match.group(2))
                current = keyword
                if keyword.startswith("msgstr["):
                    entry.msgstr_plural[int(keyword[7:-1])] = value
                else:
                    setattr(entry, keyword, value)
                continue
            if line.startswith('"') and current:
                value = unquote(line)
                if current.startswith("msgstr["):
                    entry.msgstr_plural[int(current[7:-1])] += value
                else:
                    setattr(entry, current, getattr(entry, current) + value)
                continue
            raise ValueError(f"unparsable PO line: {raw!r}")
        if entry.obsolete and entry.msgid == "":
            continue  # obsolete entries are kept only as raw comments; we drop them
        entries.append(entry)
    return entries


def render(entries: list[Entry]) -> str:
    blocks = []
    for entry in entries:
        # gettext's order: translator, extracted and reference comments, flags, then previous msgid (#|)
        lines = [c for c in entry.comments if not c.startswith("#|")]
        if entry.flags:
            lines.append("#, " + ", ".join(entry.flags))
        lines += [c for c in entry.comments if c.startswith("#|")]
        if entry.msgctxt is not None:
            lines += _field_lines("msgctxt", entry.msgctxt)
        lines += _field_lines("msgid", entry.msgid)
        if entry.msgid_plural is not None:
            lines += _field_lines("msgid_plural", entry.msgid_plural)
            for index in sorted(entry.msgstr_plural):
                lines += _field_lines(f"msgstr[{index}]", entry.msgstr_plural[index])
        else:
            lines += _field_lines("msgstr", entry.msgstr)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def load(path: str | Path) -> list[Entry]:
    return parse(Path(path).read_text(encoding="utf-8"))


def save(path: str | Path, entries: list[Entry]) -> None:
    Path(path).write_text(render(entries), encoding="utf-8")
