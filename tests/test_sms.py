"""SMS text rules: segment counting and clean-up."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_time

from api.channels import menus
from api.i18n import sms


def test_gsm7_segments() -> None:
    assert sms.segments("a" * 160) == 1
    assert sms.segments("a" * 161) == 2
    assert sms.segments("a" * 306) == 2
    assert sms.segments("a" * 307) == 3
    # extension characters take two septets
    assert sms.segments("€" * 80) == 1
    assert sms.segments("€" * 81) == 2
    assert sms.encoding("¿Cómo está? ñ é ü ¡") == "UCS-2"  # ó is not GSM-7
    assert sms.encoding("¿Que tal? ñ é ü ¡") == "GSM-7"


def test_ucs2_segments_count_utf16_units() -> None:
    assert sms.segments("你" * 70) == 1
    assert sms.segments("你" * 71) == 2
    assert sms.segments("你" * 134) == 2
    assert sms.segments("你" * 135) == 3
    assert sms.segments("🙂" * 35) == 1  # each emoji is two UTF-16 units
    assert sms.segments("🙂" * 36) == 2


def test_clean_for_sms_strips_invisible_marks_and_smart_encodes_spanish() -> None:
    time_text = format_time(
        datetime(2026, 1, 5, 15, 30, tzinfo=ZoneInfo("America/Chicago")), "short", locale="en_US"
    )
    assert "\u202f" in time_text  # Babel's narrow no-break space
    cleaned = sms.clean_for_sms(f"Your appointment is at {time_text}.")
    assert "\u202f" not in cleaned and sms.encoding(cleaned) == "GSM-7"
    assert sms.clean_for_sms("\u200fمرحبا\u200f") == "مرحبا"
    assert sms.clean_for_sms("¿Cómo está? Día de la cita") == "¿Como esta? Dia de la cita"
    # Vietnamese stays as written: smart encoding only applies when it reaches GSM-7
    assert sms.clean_for_sms("Bạn có cần giúp không?") == "Bạn có cần giúp không?"


def test_numbered_menus_and_replies() -> None:
    buttons = [{"title": "Sí", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
    text = menus.numbered("¿Empezamos?", buttons, "es")
    assert text.splitlines()[1:3] == ["1 Sí", "2 No"]
    assert "1 o 2" in text.splitlines()[3]
    assert menus.resolve("1", buttons) == "/affirm"
    assert menus.resolve(" #2 ", buttons) == "/deny"
    assert menus.resolve("si", buttons) == "/affirm"  # the option word, accents folded
    assert menus.resolve("٢", buttons) == "/deny"  # Arabic-Indic digits, as Arabic phones type
    assert menus.resolve("２", buttons) == "/deny"  # full-width, as Chinese keyboards type
    assert menus.resolve("3", buttons) is None
    assert menus.resolve("yes please", buttons) is None
    assert menus.resolve("1", None) is None
