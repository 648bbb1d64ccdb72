"""English translations of every segment: from the speech, or from the text."""

from callsift.translate.speech import ENGINE, assign_by_time, translate_channel
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
    "assign_by_time",
    "translate_case",
    "translate_channel",
]
