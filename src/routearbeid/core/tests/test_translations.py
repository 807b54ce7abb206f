"""The Dutch catalog is complete, compiled, active, and keeps every placeholder."""

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation

from routearbeid.route.constants import Stage

LOCALE = Path(__file__).resolve().parents[2] / "locale"
NL_PO = LOCALE / "nl" / "LC_MESSAGES" / "django.po"
NL_MO = LOCALE / "nl" / "LC_MESSAGES" / "django.mo"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$')


def _unquote(text: str) -> str:
    body, out, i = text.strip()[1:-1], [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            out.append(_ESCAPES.get(body[i + 1], body[i : i + 2]))
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def parse_po(path: Path) -> list[dict]:
    """A small .po reader: one dict per entry with msgid, msgid_plural, msgstr (list) and flags."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict = {"flags": set(), "msgstr": {}}
        current = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"].update(f.strip() for f in line[2:].split(",") if f.strip())
            elif line.startswith("#"):
                continue  # comments, references and obsolete (#~) entries
            elif line.startswith('"') and current:
                if current.startswith("msgstr"):
                    index = int(current[7:-1]) if "[" in current else 0
                    entry["msgstr"][index] += _unquote(line)
                else:
                    entry[current] += _unquote(line)
            elif match := _KEYWORD.match(line):
                current, value = match.group(1), _unquote(match.group(2))
                if current.startswith("msgstr"):
                    entry["msgstr"][int(current[7:-1]) if "[" in current else 0] = value
                else:
                    entry[current] = value
        if "msgid" in entry:
            entry["msgstr"] = [entry["msgstr"][i] for i in sorted(entry["msgstr"])]
            entries.append(entry)
    return entries


def _messages(path: Path) -> list[dict]:
    return [e for e in parse_po(path) if e["msgid"]]  # without the header


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext (msgfmt) is not installed")
def test_msgfmt_reports_no_untranslated_and_no_fuzzy_messages():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(NL_PO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    stats = [line for line in result.stderr.splitlines() if "translated message" in line]
    assert stats, result.stderr
    line = stats[-1]
    assert "untranslated" not in line, line
    assert "fuzzy" not in line, line
    translated = int(re.match(r"(\d+) translated message", line).group(1))
    assert translated == len(_messages(NL_PO))


def test_no_fuzzy_or_empty_entries_in_the_catalogs():
    nl = _messages(NL_PO)
    assert nl, "the Dutch catalog has no messages"
    assert [e["msgid"] for e in nl if "fuzzy" in e["flags"]] == []
    assert [e["msgid"] for e in nl if not all(e["msgstr"])] == []
    header = [e for e in parse_po(NL_PO) if e["msgid"] == ""]
    assert header and "fuzzy" not in header[0]["flags"]
    # The English catalog keeps the source strings (empty msgstr), but nothing is marked fuzzy.
    assert [e["msgid"] for e in parse_po(EN_PO) if "fuzzy" in e["flags"]] == []


def test_every_placeholder_is_kept_in_the_dutch_translation():
    problems = []
    for entry in _messages(NL_PO):
        expected = set(PLACEHOLDER.findall(entry["msgid"]))
        if "msgid_plural" in entry:
            expected |= set(PLACEHOLDER.findall(entry["msgid_plural"]))
        for msgstr in entry["msgstr"]:
            found = set(PLACEHOLDER.findall(msgstr))
            if found != expected:
                problems.append((entry["msgid"], sorted(expected), msgstr))
    assert problems == []


def test_the_compiled_catalog_matches_the_po_file():
    """Django reads django.mo: it must be compiled from the current django.po."""
    assert NL_MO.exists(), "run `manage.py compilemessages`"
    with NL_MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in _messages(NL_PO):
        context = entry.get("msgctxt")
        if "msgid_plural" in entry and context is not None:
            got = [
                compiled.npgettext(context, entry["msgid"], entry["msgid_plural"], n)
                for n in (1, 2)
            ]
        elif "msgid_plural" in entry:
            got = [compiled.ngettext(entry["msgid"], entry["msgid_plural"], n) for n in (1, 2)]
        elif context is not None:
            got = [compiled.pgettext(context, entry["msgid"])]
        else:
            got = [compiled.gettext(entry["msgid"])]
        if got != entry["msgstr"]:
            stale.append(entry["msgid"])
    assert stale == [], "django.mo is out of date: run `manage.py compilemessages`"


def test_dutch_is_active_for_the_screens():
    with translation.override("nl"):
        assert translation.gettext("Log in") == "Inloggen"
        assert translation.gettext("Log out") == "Uitloggen"
        assert translation.gettext("Youth") == "Jongeren"
        assert translation.gettext("Outflow meeting") == "Uitstroomtafel"
        assert (
            translation.ngettext("%(n)s youth found", "%(n)s youth found", 1) % {"n": 1}
            == "1 jongere gevonden"
        )
        assert (
            translation.ngettext("%(n)s youth found", "%(n)s youth found", 3) % {"n": 3}
            == "3 jongeren gevonden"
        )
        assert [str(stage.label) for stage in Stage] == [
            "Overleg",
            "ABA",
            "Toevoeging",
            "Uitstroom",
            "Nazorg",
            "Afgesloten",
            "Teruggetrokken",
        ]
    with translation.override("en"):
        assert translation.gettext("Log in") == "Log in"
        assert str(Stage.HANDOVER.label) == "Handover"
