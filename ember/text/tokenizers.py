"""Tokenizers: ``get_tokenizer(None)`` splits on whitespace (``str.split``, the book's first
tokenizer), ``"basic_english"`` lower-cases and splits punctuation off, ``"spacy"`` uses spaCy's
tokenizer when spaCy and its English model are installed. Any callable passes through."""
import re

__all__ = ["get_tokenizer", "basic_english_normalize", "split_tokenizer"]

_PATTERNS = [(re.compile(p), r) for p, r in (
    (r"\'", " '  "), (r"\"", ""), (r"\.", " . "), (r"<br \/>", " "), (r",", " , "),
    (r"\(", " ( "), (r"\)", " ) "), (r"\!", " ! "), (r"\?", " ? "), (r"\;", " "),
    (r"\:", " "), (r"\s+", " "))]


def basic_english_normalize(line):
    """Lower-case, separate ``' . , ( ) ! ?`` as tokens, drop ``" ; :`` and ``<br />``, then
    split on whitespace (torchtext's ``basic_english``)."""
    line = line.lower()
    for pattern, repl in _PATTERNS:
        line = pattern.sub(repl, line)
    return line.split()


def split_tokenizer(x):
    """Whitespace split."""
    return x.split()


_SPACY_MODELS = {"en": "en_core_web_sm", "de": "de_core_news_sm", "fr": "fr_core_news_sm",
                 "es": "es_core_news_sm", "it": "it_core_news_sm", "nl": "nl_core_news_sm",
                 "pt": "pt_core_news_sm"}


def _spacy_tokenizer(language):
    try:
        import spacy
    except ImportError:
        raise ModuleNotFoundError("tokenize='spacy' needs spaCy and an English model: "
                                  "pip install spacy && python -m spacy download en_core_web_sm "
                                  "(or use tokenize='basic_english')", name="spacy") from None
    try:
        nlp = spacy.load(language)
    except OSError:
        model = _SPACY_MODELS.get(language)
        if model is None:
            raise
        try:
            nlp = spacy.load(model)
        except OSError:
            raise OSError(f"spaCy's model {model!r} for language {language!r} is not "
                          f"installed: python -m spacy download {model}") from None
    tok = nlp.tokenizer

    def spacy_tokenize(x):
        return [t.text for t in tok(x)]
    return spacy_tokenize


def get_tokenizer(tokenizer, language="en"):
    """A function from a string to its list of tokens.

    ``None`` -> whitespace split; ``"basic_english"``; ``"spacy"`` (language ``"en"`` loads
    ``en_core_web_sm``); a callable is returned as it is."""
    if tokenizer is None:
        return split_tokenizer
    if callable(tokenizer):
        return tokenizer
    if tokenizer == "basic_english":
        if language != "en":
            raise ValueError("Basic normalization is only available for English(en)")
        return basic_english_normalize
    if tokenizer == "spacy":
        return _spacy_tokenizer(language)
    if tokenizer in ("moses", "toktok", "revtok", "subword"):
        raise ValueError(f"tokenizer {tokenizer!r} is not available in ember.text; use "
                         "None (whitespace), 'basic_english', 'spacy' or a function")
    raise ValueError(f"Requested tokenizer {tokenizer}, valid choices are a callable that "
                     "takes a single string as input, \"spacy\" for the SpaCy English "
                     "tokenizer, \"basic_english\" for a basic normalization + whitespace "
                     "tokenizer, or None for whitespace split")
