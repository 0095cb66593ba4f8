"""SUPPORTED_LOCALES: the one registry that drives detection, negotiation, catalogs and tests.

Adding a language: add a row here, a catalog under locales/, NLU data under data/nlu/, and
safety patterns under data/safety/. Nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel import Locale, negotiate_locale


@dataclass(frozen=True)
class SupportedLocale:
    tag: str  # BCP-47, also the catalog folder name
    babel: str  # Babel locale id, for dates, numbers and plural rules
    native_name: str  # how the language names itself in the language menu
    rtl: bool = False
    lingua: str = ""  # lingua-language-detector Language name
    sentence_separator: str = " "  # between sentences joined into one message


SUPPORTED_LOCALES: dict[str, SupportedLocale] = {
    loc.tag: loc
    for loc in (
        SupportedLocale("en", "en_US", "English", lingua="ENGLISH"),
        SupportedLocale("es", "es_US", "Español", lingua="SPANISH"),
        SupportedLocale("zh", "zh_Hans_CN", "中文", lingua="CHINESE", sentence_separator=""),
        SupportedLocale("vi", "vi_VN", "Tiếng Việt", lingua="VIETNAMESE"),
        SupportedLocale("ar", "ar", "العربية", rtl=True, lingua="ARABIC"),
    )
}
FALLBACK = "en"


def normalize_tag(tag: str | None) -> str | None:
    """Map 'es-MX', 'zh_Hans', 'ES' and friends to a supported tag, or None."""
    if not tag:
        return None
    base = tag.replace("_", "-").split("-")[0].strip().lower()
    return base if base in SUPPORTED_LOCALES else None


def fallback_chain(language: str | None, program_default: str) -> list[str]:
    """participant language -> program default -> English, without repeats."""
    chain: list[str] = []
    for tag in (normalize_tag(language), normalize_tag(program_default), FALLBACK):
        if tag and tag not in chain:
            chain.append(tag)
    return chain


def babel_locale(tag: str) -> Locale:
    return Locale.parse(SUPPORTED_LOCALES[normalize_tag(tag) or FALLBACK].babel)


def negotiate(accept_language: str | None, query_lang: str | None = None) -> str | None:
    """Pick a supported language from ?lang= first, then an Accept-Language header."""
    if (tag := normalize_tag(query_lang)) is not None:
        return tag
    if not accept_language:
        return None
    preferred = []
    for part in accept_language.split(","):
        piece = part.split(";")[0].strip()
        if piece and piece != "*":
            preferred.append(piece.replace("-", "_"))
    found = negotiate_locale(preferred, list(SUPPORTED_LOCALES), sep="_")
    return normalize_tag(found)
