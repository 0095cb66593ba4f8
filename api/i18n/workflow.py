"""The catalog workflow: extract -> update (`make translations`), and check (`make test`).

    python -m api.i18n.workflow update   # refresh locales/messages.pot and every .po
    python -m api.i18n.workflow check    # fail on stale catalogs, untranslated or fuzzy entries

Sources: `T(...)`/`TP(...)` calls in api/i18n/texts.py (msgctxt=key, msgid=English), and
every question and option of the screening instruments (api/screening/instruments/*.yml),
make the `messages` catalog; each area's texts module makes its own (api/i18n/domains.py).
The app reads the .po files directly, so there is no compile step to forget.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from api.config import ROOT
from api.i18n.catalog import LOCALES_DIR, placeholders, po_path
from api.i18n.domains import DOMAINS, Domain
from api.i18n.locales import SUPPORTED_LOCALES

KEYWORDS = {"T": ((1, "c"), 2), "TP": ((1, "c"), 2, 3)}
EXTRA_SOURCES: list[Path] = []


def _instrument_messages() -> Iterator[tuple[str, str, str]]:
    from api.screening import instrument

    yield from instrument.catalog_messages()


def pot_path(domain: Domain) -> Path:
    return LOCALES_DIR / f"{domain.name}.pot"


def template(domain: Domain = DOMAINS["messages"]) -> Catalog:
    catalog = Catalog(project="firstcall", fuzzy=False, charset="utf-8")
    for lineno, msgid, _comments, context in extract_from_file(
        "python", str(domain.source), keywords=KEYWORDS, comment_tags=()
    ):
        origin = str(domain.source.relative_to(ROOT))
        catalog.add(msgid, locations=[(origin, lineno)], context=context)
    if domain.module is None:
        for ctx, text, origin in _instrument_messages():
            catalog.add(text, locations=[(origin, 0)], context=ctx)
    return catalog


def _dump(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(
        buffer,
        catalog,
        width=100,
        omit_header=False,
        sort_output=True,
        include_lineno=False,
        ignore_obsolete=True,
    )
    return buffer.getvalue()


def _read(path: Path, tag: str) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=SUPPORTED_LOCALES[tag].babel)


def update() -> None:
    for domain in DOMAINS.values():
        _update(domain)


def _update(domain: Domain) -> None:
    pot = template(domain)
    LOCALES_DIR.mkdir(exist_ok=True)
    _write(pot_path(domain), _dump(pot))
    for tag, loc in SUPPORTED_LOCALES.items():
        path = po_path(tag, domain.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            catalog = _read(path, tag)
        else:
            catalog = Catalog(locale=loc.babel, project="firstcall", fuzzy=False)
        # a fresh template: update() shares message objects with it
        catalog.update(template(domain), update_header_comment=False)
        catalog.obsolete.clear()
        if tag == "en":  # English is the source: its translation is the text itself
            for message in catalog:
                if message.id and not message.string or message.fuzzy:
                    message.string = message.id
                    message.flags.discard("fuzzy")
        catalog.fuzzy = False
        if _write(path, _dump(catalog)):
            print(f"updated {path.relative_to(ROOT)}")


def _write(path: Path, content: bytes) -> bool:
    """Write unless only the creation date would change (no churn in unrelated catalogs)."""

    def dateless(data: bytes) -> list[bytes]:
        return [line for line in data.splitlines() if not line.startswith(b'"POT-Creation-Date')]

    if path.exists() and dateless(path.read_bytes()) == dateless(content):
        return False
    path.write_bytes(content)
    return True


def problems() -> list[str]:
    return [line for domain in DOMAINS.values() for line in _problems(domain)]


def _problems(domain: Domain) -> list[str]:
    pot = template(domain)
    found: list[str] = []
    wanted = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in pot if m.id}
    for tag in SUPPORTED_LOCALES:
        path = po_path(tag, domain.name)
        if not path.exists():
            found.append(f"{tag}: {path.relative_to(ROOT)} is missing (run `make translations`)")
            continue
        catalog = _read(path, tag)
        have = {}
        for message in catalog:
            if not message.id:
                continue
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            have[(message.context, msgid)] = message
        stale = wanted - set(have)
        if stale:
            found.append(
                f"{tag}: {len(stale)} entries missing, catalogs are stale "
                f"(run `make translations`): {sorted(str(k) for k, _ in stale)[:5]}"
            )
        extra = set(have) - wanted
        if extra:
            found.append(
                f"{tag}: {len(extra)} entries no longer in the code "
                f"(run `make translations`): {sorted(str(k) for k, _ in extra)[:5]}"
            )
        for key, message in have.items():
            if key not in wanted:
                continue
            strings = (
                message.string if isinstance(message.string, tuple | list) else [message.string]
            )
            if message.fuzzy:
                found.append(f"{tag}: fuzzy: {key[0]}")
            elif not all(strings):
                found.append(f"{tag}: untranslated: {key[0]}")
            else:
                source = message.id if isinstance(message.id, str) else message.id[0]
                for text in strings:
                    if placeholders(text or "") != placeholders(source):
                        found.append(f"{tag}: placeholders differ: {key[0]}")
    return found


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "update":
        update()
        return 0
    if command == "check":
        found = problems()
        for line in found:
            print(line)
        print(f"catalogs: {len(found)} problems in {len(SUPPORTED_LOCALES)} languages")
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
