"""A whitespace tokenizer that keeps Chinese and normalizes what people write.

Rasa 3.6's WhitespaceTokenizer drops every word that its emoji pattern fully matches, and
that pattern spans U+24C2-U+1F251, which includes all CJK ideographs. An all-Chinese word
inside a mixed message ("food stamps 怎么弄", "我需要找 job") was silently thrown away.
Here a word is dropped only when it holds no letter of any script.

Each word of a message's text then becomes one token per form (bot/components/normalize.py):
folded and as written for Latin words with marks, one normalized form for Arabic, with and
without digits for Arabizi. Tokens of one word share its offsets; the folded forms come
first, in the message's order, then the other forms.

Runs in the Rasa environment (.venv-rasa, Python 3.10); `rasa` puts the working directory
on sys.path, so config.yml names it as bot.components.tokenizers.MultilingualWhitespaceTokenizer.
"""

from __future__ import annotations

from typing import List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.components.normalize import forms


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class MultilingualWhitespaceTokenizer(WhitespaceTokenizer):
    def remove_emoji(self, text: Text) -> Text:
        if any(ch.isalpha() for ch in text):
            return text
        return super().remove_emoji(text)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        if attribute != TEXT:
            return tokens
        # The folded form of every word first, in order, so that word pairs (Vietnamese
        # syllable bigrams: "can do an") are the same with or without marks; the other
        # forms after them.
        written = [(token, forms(token.text)) for token in tokens]
        return [
            Token(found[0], token.start, token.end, lemma=found[0]) for token, found in written
        ] + [
            Token(form, token.start, token.end, lemma=form)
            for token, found in written
            for form in found[1:]
        ]
