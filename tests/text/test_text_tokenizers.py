"""Tokenizers: whitespace, basic_english, spaCy (with a stand-in module), callables."""
import sys
import types

import pytest

from ember.text import get_tokenizer
from ember.text.tokenizers import basic_english_normalize


def test_whitespace_and_callable():
    tok = get_tokenizer(None)
    assert tok("A  b\tc\n") == ["A", "b", "c"]
    f = lambda s: list(s)  # noqa: E731
    assert get_tokenizer(f) is f


def test_basic_english():
    tok = get_tokenizer("basic_english")
    assert tok("You can now install TorchText using pip!") == \
        ["you", "can", "now", "install", "torchtext", "using", "pip", "!"]
    assert basic_english_normalize('He said: "it\'s (really) good", ok?<br />Yes; no.') == \
        ["he", "said", "it", "'", "s", "(", "really", ")", "good", ",", "ok", "?", "yes",
         "no", "."]
    with pytest.raises(ValueError, match="only available for English"):
        get_tokenizer("basic_english", language="de")


def test_unknown_tokenizer():
    with pytest.raises(ValueError, match="valid choices"):
        get_tokenizer("nope")


def test_spacy_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "spacy", None)
    with pytest.raises(ModuleNotFoundError, match="pip install spacy"):
        get_tokenizer("spacy")


def test_spacy_with_stand_in(monkeypatch):
    loaded = []

    class Tok:
        def __init__(self, text):
            self.text = text

    def load(name):
        loaded.append(name)
        if name == "en":
            raise OSError("[E050] Can't find model 'en'")
        return types.SimpleNamespace(tokenizer=lambda s: [Tok(w) for w in s.replace("!", " !").split()])
    monkeypatch.setitem(sys.modules, "spacy", types.SimpleNamespace(load=load))
    tok = get_tokenizer("spacy", language="en")
    assert tok("Hello world!") == ["Hello", "world", "!"]
    assert loaded == ["en", "en_core_web_sm"]
