"""The NLU's text normalization (bot/components/normalize.py): the forms a word is featurized in."""

from __future__ import annotations

import pytest

from bot.components.normalize import arabic, arabizi_as_letters, forms


def _first_forms(message: str) -> list[str]:
    return [forms(word)[0] for word in message.split()]


def test_a_vietnamese_word_with_marks_gives_its_folded_form_first_then_as_written() -> None:
    assert forms("Cần") == ["can", "cần"]
    assert forms("đồ") == ["do", "đồ"]


def test_a_word_without_marks_has_one_form() -> None:
    assert forms("food") == ["food"]
    assert forms("can") == ["can"]


def test_a_message_with_marks_and_one_without_share_their_first_forms() -> None:
    # the word pairs (syllable bigrams) are built from these, so they match too
    assert _first_forms("Tôi cần đồ ăn") == _first_forms("toi can do an")
    assert _first_forms("Necesito ayuda médica") == _first_forms("necesito ayuda medica")


def test_composed_and_decomposed_marks_give_the_same_forms() -> None:
    composed = "\u1ea7n"  # ầ as one code point
    decomposed = "a\u0302\u0300n"  # a + circumflex + grave
    assert forms("c" + composed) == forms("c" + decomposed)


@pytest.mark.parametrize(
    ("written", "normalized"),
    [
        ("أريد", "اريد"),  # hamza on alef
        ("إلغاء", "الغاء"),  # hamza under alef, hamza on the line kept
        ("آسف", "اسف"),  # madda
        ("مستشفى", "مستشفي"),  # alef maqsura as ya
        ("مدرسة", "مدرسه"),  # ta marbuta as ha
        ("مُساعَدة", "مساعده"),  # tashkeel removed
        ("مـــساعدة", "مساعده"),  # tatweel removed
        ("مسؤول", "مسوول"),  # hamza on waw
        ("طوارئ", "طواري"),  # hamza on ya
    ],
)
def test_arabic_letters_are_written_in_one_form(written: str, normalized: str) -> None:
    assert arabic(written) == normalized
    assert forms(written) == [normalized]


def test_arabic_indic_digits_become_ascii() -> None:
    assert arabic("٣") == "3"


@pytest.mark.parametrize(
    ("word", "lettered"),
    [("3ayez", "aayez"), ("a7tag", "ahtag"), ("5ales", "khales"), ("sa3edni", "saaedni")],
)
def test_arabizi_digits_become_the_letters_people_also_write(word: str, lettered: str) -> None:
    assert arabizi_as_letters(word) == lettered
    assert forms(word) == [word, lettered]


@pytest.mark.parametrize("word", ["5pm", "2nd", "300k", "2tr", "3", "food"])
def test_numbers_with_their_suffix_and_plain_words_are_not_arabizi(word: str) -> None:
    assert arabizi_as_letters(word) is None
    assert forms(word) == [word.casefold()]
