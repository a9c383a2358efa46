"""Chinese tokenisation: spaCy's blank "zh" pipeline with the jieba segmenter, built once.

Matching is done on characters (rules); tokens are used as features (classifier, spec
detector). The jieba user dictionary is built from lexicons/ term lists so that domain
words (注册资本, 市场占有率, brand names...) stay whole.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from scanner.resources import lexicons_dir


@lru_cache(maxsize=1)
def _jieba():  # type: ignore[no-untyped-def]
    import jieba

    jieba.setLogLevel(logging.WARNING)
    userdict = lexicons_dir() / "jieba_userdict.txt"
    if userdict.is_file():
        jieba.load_userdict(str(userdict))
    return jieba


@lru_cache(maxsize=1)
def nlp():  # type: ignore[no-untyped-def]
    """The spaCy pipeline (tokenizer only) — built once per process."""
    import spacy

    _jieba()
    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})


def tokens(text: str) -> list[str]:
    """Word tokens of a clause (jieba through the spaCy tokenizer)."""
    return [t.text for t in nlp()(text) if not t.is_space]


def tokens_many(texts: list[str]) -> list[list[str]]:
    """Word tokens of many clauses at once (spaCy's batched ``pipe``; cheaper than one call each)."""
    return [[t.text for t in doc if not t.is_space] for doc in nlp().pipe(texts, batch_size=256)]
