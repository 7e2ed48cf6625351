"""Jieba tokenising with our user dictionary, loaded once per process.

The tokenizer is a small class (not a lambda) so the fitted pipeline pickles
and loads with skops; jieba's state lives in this module, not in the object.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from classifier.userdict import USERDICT

_LOCK = threading.Lock()
_JIEBA: Any = None
_KEEP = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
STOPWORDS = frozenset(
    ["的", "了", "是", "我", "你", "他", "她", "在", "和", "就", "都", "也", "还", "啊", "吧", "吗", "呢", "嗯", "呃", "那个", "就是", "这个", "一个", "我们", "你们", "有", "没有", "说", "要", "去", "来", "又", "很", "好", "着", "把", "被", "让", "给", "对", "从", "到", "这", "那", "个", "么", "什么", "怎么", "然后", "反正", "一下"]
)


def jieba_instance() -> Any:
    """The process-wide jieba Tokenizer with our dictionary (lazy, thread-safe)."""
    global _JIEBA
    if _JIEBA is None:
        with _LOCK:
            if _JIEBA is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.initialize()
                if USERDICT.exists():
                    tk.load_userdict(str(USERDICT))
                _JIEBA = tk
    return _JIEBA


def cut(text: str) -> list[str]:
    """Segment ``text`` into words (no HMM: faster, and our dictionary covers new terms)."""
    return list(jieba_instance().cut(text, HMM=False))


class JiebaTokenizer:
    """Callable tokenizer for scikit-learn vectorizers: words minus punctuation and stopwords."""

    def __call__(self, text: str) -> list[str]:
        return [w for w in cut(text) if _KEEP.search(w) and w not in STOPWORDS]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JiebaTokenizer)

    def __hash__(self) -> int:
        return hash(JiebaTokenizer)
