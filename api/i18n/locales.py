"""SUPPORTED_LOCALES: the one registry that drives detection, negotiation, catalogs and tests.

Adding a language: add a row here, a catalog under locales/, NLU data under data/nlu/,
safety patterns under data/safety/, and, when lingua does not know the language, a word list
under data/detect/. Nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel import Locale, negotiate_locale
from babel.lists import format_list


@dataclass(frozen=True)
class SupportedLocale:
    tag: str  # BCP-47, also the catalog folder name
    babel: str  # Babel locale id, for dates, numbers and plural rules
    native_name: str  # how the language names itself in the language menu
    rtl: bool = False
    lingua: str = ""  # lingua-language-detector Language name
    sentence_separator: str = " "  # between sentences joined into one message
    # ("and", "or") for lists where CLDR has none of this language's own (Babel's would be
    # another language's words): "lojman, manje ak transpò", "1, 2 oswa 3".
    list_words: tuple[str, str] | None = None


SUPPORTED_LOCALES: dict[str, SupportedLocale] = {
    loc.tag: loc
    for loc in (
        SupportedLocale("en", "en_US", "English", lingua="ENGLISH"),
        SupportedLocale("es", "es_US", "Español", lingua="SPANISH"),
        SupportedLocale("zh", "zh_Hans_CN", "中文", lingua="CHINESE", sentence_separator=""),
        SupportedLocale("vi", "vi_VN", "Tiếng Việt", lingua="VIETNAMESE"),
        SupportedLocale("ar", "ar", "العربية", rtl=True, lingua="ARABIC"),
        # CLDR has no Haitian Creole dates or lists (Babel's ht_HT prints "M12 10, Thu"):
        # fr_HT, the French of Haiti, is the nearest that writes real day and month names.
        # lingua has no Haitian Creole: detect.py reads data/detect/ht.yml instead.
        SupportedLocale("ht", "fr_HT", "Kreyòl Ayisyen", list_words=("ak", "oswa")),
        # Babel reads tl as Filipino; fil_PH says so.
        SupportedLocale("tl", "fil_PH", "Tagalog", lingua="TAGALOG"),
        SupportedLocale("ko", "ko_KR", "한국어", lingua="KOREAN"),
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


def join_list(items: list[str], language: str | None, style: str = "standard") -> str:
    """'a, b and c' (style "standard") or '1, 2 or 3' (style "or") in the language's words."""
    loc = SUPPORTED_LOCALES[normalize_tag(language) or FALLBACK]
    if loc.list_words is None or len(items) < 2:
        return format_list(items, style=style, locale=Locale.parse(loc.babel))  # type: ignore[arg-type]
    word = loc.list_words[1 if style == "or" else 0]
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


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
