"""A whitespace tokenizer that keeps Chinese.

Rasa 3.6's WhitespaceTokenizer drops every word that its emoji pattern fully matches, and
that pattern spans U+24C2-U+1F251, which includes all CJK ideographs. An all-Chinese word
inside a mixed message ("food stamps 怎么弄", "我需要找 job") was silently thrown away.
Here a word is dropped only when it holds no letter of any script.

Runs in the Rasa environment (.venv-rasa, Python 3.10); `rasa` puts the working directory
on sys.path, so config.yml names it as bot.components.tokenizers.MultilingualWhitespaceTokenizer.
"""

from __future__ import annotations

from typing import Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class MultilingualWhitespaceTokenizer(WhitespaceTokenizer):
    def remove_emoji(self, text: Text) -> Text:
        if any(ch.isalpha() for ch in text):
            return text
        return super().remove_emoji(text)
