"""What the crisis and safety texts promise, checked in every language (issue 7).

Texts are read as the participant gets them: rendered with worst-case arguments, with the
numbered menu, cleaned for SMS (`budget.sms_text`).
"""

from __future__ import annotations

import pytest

from api.i18n.budget import sms_text
from api.i18n.folding import strip_marks
from api.i18n.locales import SUPPORTED_LOCALES
from api.i18n.texts import TEMPLATES, roles
from api.screening import prompts
from api.screening.instrument import modules

LANGUAGES = sorted(SUPPORTED_LOCALES)


def _question(question_id: str):  # type: ignore[no-untyped-def]
    return next(q for m in modules().values() for q in m.questions if q.id == question_id)


def _option(question_id: str, option_id: str, language: str) -> str:
    question = _question(question_id)
    rendered = prompts.question(question, 1, 1, language)
    index = [o.id for o in question.options].index(option_id)
    return rendered.buttons[index]["title"]


# --- item 7: every crisis text names 988 and 911; the DV text names the hotline -------------
def test_there_are_crisis_dv_and_consent_texts() -> None:
    assert roles("crisis") and roles("dv") and roles("consent")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_crisis_text_names_988_and_911(language: str) -> None:
    for key in roles("crisis"):
        text = sms_text(key, language)
        assert "988" in text and "911" in text, (language, key, text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_dv_text_names_the_hotline_number_and_its_text_option(language: str) -> None:
    for key in roles("dv"):
        text = sms_text(key, language)
        assert "1-800-799-7233" in text, (language, key, text)
        assert "START" in text and "88788" in text, (language, key, text)
        assert "911" in text, (language, key, text)


def test_crisis_safety_and_consent_texts_may_take_three_segments() -> None:
    for role in ("crisis", "dv", "consent"):
        for key in roles(role):
            assert TEMPLATES[key].segments == 3, key


# --- item 1: 988 interprets calls only; texting is English and Spanish ----------------------
# The word to say on the call, and the words that would promise texting, per language.
SAY_ON_THE_CALL = {"zh": "Mandarin", "vi": "Vietnamese", "ar": "Arabic", "ht": "Haitian Creole",
                   "tl": "Tagalog", "ko": "Korean"}  # fmt: skip
TEXTING_WORDS = {
    "zh": ("短信", "发送", "信息"),
    "vi": ("nhắn", "SMS"),
    "ar": ("راسل", "أرسل", "رسال"),
    "ht": ("tèks", "voye", "mesaj"),
    "tl": ("text", "i-text", "mensahe"),
    "ko": ("문자", "보내", "메시지"),
}


@pytest.mark.parametrize("language", sorted(SAY_ON_THE_CALL))
def test_crisis_text_says_call_988_and_name_the_language(language: str) -> None:
    text = sms_text("utter_crisis", language)
    assert SAY_ON_THE_CALL[language] in text, text
    promised = [w for w in TEXTING_WORDS[language] if w in text]
    assert promised == [], f"{language} crisis text offers texting 988: {text}"


# --- item 2: Spanish texters send AYUDA to 988 ----------------------------------------------
def test_spanish_crisis_text_offers_texting_ayuda_to_988() -> None:
    text = strip_marks(sms_text("utter_crisis", "es"))
    assert "envie ayuda al 988" in text, text
    assert "AYUDA al 988" in sms_text("utter_crisis", "es")  # written as the keyword to send


# --- item 3: HELP says "message and data rates may apply", as the carrier rules word it ------
RATES_MAY_APPLY = {
    "en": "Msg & data rates may apply",
    "es": "Pueden aplicarse tarifas de mensajes y datos",
    "zh": "可能产生短信和流量费用",
    "vi": "Có thể áp dụng phí tin nhắn và dữ liệu",
    "ar": "قد تطبق رسوم الرسائل والبيانات",
    "ht": "Frè mesaj ak done ka aplike",
    "tl": "Maaaring may singil sa msg at data",
    "ko": "메시지 및 데이터 요금이 부과될 수 있음",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_sms_help_says_message_and_data_rates_may_apply(language: str) -> None:
    text = sms_text("sms.help", language)
    assert strip_marks(RATES_MAY_APPLY[language]) in strip_marks(text), text
    assert "(555) 010-0100" in text and "STOP" in text  # contact and opt-out, as carriers require


# --- item 4: "nothing to undo" never asks for an English YES ---------------------------------
@pytest.mark.parametrize("language", LANGUAGES)
def test_nothing_to_undo_asks_in_the_participants_own_words(language: str) -> None:
    # A bare yes here only gets the help text (rule "a bare yes with nothing to say yes to"),
    # so the text asks what they need (a need starts the screening), in their language.
    text = sms_text("utter_nothing_to_undo", language)
    assert "YES" not in text, text
    if language != "en":
        assert not any(w in text for w in ("Yes", "Reply", "start")), text


# --- item 5: "no steady place to live" keeps the instrument's examples ------------------------
NOT_STEADY_EXAMPLES = {
    "en": ("staying with others", "hotel", "shelter", "street", "beach", "car",
           "abandoned building", "bus or train station", "park"),
    "es": ("otras personas", "hotel", "albergue", "calle", "playa", "carro",
           "edificio abandonado", "estación de autobús o tren", "parque"),
    "zh": ("借住", "旅馆", "收容所", "街头", "海滩", "车里", "废弃建筑", "车站", "公园"),
    "vi": ("ở nhờ", "khách sạn", "nơi tạm trú", "ngoài đường", "bãi biển", "trong xe",
           "nhà bỏ hoang", "bến xe buýt", "ga tàu", "công viên"),
    "ar": ("عند آخرين", "فندق", "مأوى", "الشارع", "الشاطئ", "سيارة", "مبنى مهجور",
           "محطة حافلات أو قطارات", "حديقة"),
    "ht": ("lakay lòt moun", "otèl", "abri", "lari", "plaj", "machin", "bilding abandone",
           "estasyon bis oswa tren", "pak"),
    "tl": ("nakikitira sa iba", "hotel", "shelter", "kalye", "beach", "kotse",
           "abandonadong gusali", "istasyon ng bus o tren", "parke"),
    "ko": ("다른 사람 집", "호텔", "쉼터", "길거리", "해변", "차 안", "버려진 건물",
           "버스나 기차역", "공원"),
}  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_steady_place_option_keeps_the_instruments_examples(language: str) -> None:
    label = strip_marks(_option("living_situation", "not_steady", language))
    missing = [w for w in NOT_STEADY_EXAMPLES[language] if strip_marks(w) not in label]
    assert missing == [], f"{language}: {label}"


def test_no_steady_place_is_the_instruments_wording_in_english() -> None:
    # the LOINC LA31995-6 display, so the handoff and FHIR show what was asked
    assert _question("living_situation").option("not_steady").text == (
        "I do not have a steady place to live (I am temporarily staying with others, in a "
        "hotel, in a shelter, living outside on the street, on a beach, in a car, abandoned "
        "building, bus or train station, or in a park)"
    )


# --- item 6: the HITS answers read in order -----------------------------------------------
HITS = ("safety_hurt", "safety_insult", "safety_threaten", "safety_scream")
ORDER = ("never", "rarely", "sometimes", "fairly_often", "frequently")
# "frequently" is "fairly often" said more strongly, so the order can't be misread.
INTENSIFIER = {"es": "muy", "vi": "rất"}


@pytest.mark.parametrize("language", sorted(INTENSIFIER))
def test_hits_top_two_answers_read_clearly_ordered(language: str) -> None:
    for question_id in HITS:
        labels = [strip_marks(_option(question_id, o, language)) for o in ORDER]
        assert len(set(labels)) == len(ORDER), labels
        fairly_often, frequently = labels[3], labels[4]
        assert frequently == f"{strip_marks(INTENSIFIER[language])} {fairly_often}", labels
