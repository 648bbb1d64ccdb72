"""English translations of every segment: from the speech, or from the text, then checked."""

from callsift.translate.speech import ENGINE, Translation, assign_words, translate_channel
from callsift.translate.text import (
    ArgosTranslator,
    LibreTranslateTranslator,
    TextTranslator,
    TranslateError,
    translate_case,
)

__all__ = [
    "ENGINE",
    "ArgosTranslator",
    "LibreTranslateTranslator",
    "TextTranslator",
    "TranslateError",
    "Translation",
    "assign_words",
    "translate_case",
    "translate_channel",
]
