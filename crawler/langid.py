"""langdetect's own detector with its two hot loops made cheap; every result is identical.

langdetect (its 55 profiles, its sampling algorithm, a fixed seed) spends most of a call in
two pure-Python loops: n-gram extraction, one `NGram.add_char` call per character, and the
probability update, a loop over the 55 languages for each of the hundreds of n-grams it
samples. Here the first caches the per-character normalisation and inlines the rest; the
second is one numpy multiply. The arithmetic is langdetect's, operation for operation (the
normalising sum is taken left to right as langdetect does), so languages and probabilities
are bit-for-bit the same: `tests/pipelines/test_langid.py` compares them with stock langdetect.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from langdetect import detector_factory
from langdetect.detector import Detector
from langdetect.language import Language
from langdetect.utils.ngram import NGram

_NORMALISED: dict[str, str] = {}  # character -> NGram.normalize(character)
_VECTORS: dict[str, np.ndarray] = {}  # n-gram -> its 55 language probabilities
# At most this many cached vectors (~10 MB): the profiles hold far more n-grams than one
# language's pages meet, and a page of many scripts must not grow a worker without bound.
MAX_CACHED_VECTORS = 20_000


class FastDetector(Detector):
    """A langdetect Detector whose probabilities are numpy arrays."""

    def _extract_ngrams(self) -> list[str]:
        known = self.word_lang_prob_map
        result: list[str] = []
        grams, capital_word = " ", False
        for raw in self.text:
            ch = _NORMALISED.get(raw)
            if ch is None:
                ch = _NORMALISED[raw] = NGram.normalize(raw)
            last = grams[-1]
            if last == " ":
                grams, capital_word = " ", False
                if ch == " ":
                    continue
            elif len(grams) >= NGram.N_GRAM:
                grams = grams[1:]
            grams += ch
            if ch.isupper():
                if last.isupper():
                    capital_word = True
            else:
                capital_word = False
            if capital_word:
                continue
            if ch != " " and ch in known:
                result.append(ch)
            if len(grams) >= 2:
                if grams[-2:] in known:
                    result.append(grams[-2:])
                if len(grams) >= 3 and grams[-3:] in known:
                    result.append(grams[-3:])
        return result

    def _init_probability(self) -> np.ndarray:
        if self.prior_map is not None:
            return np.array(self.prior_map, dtype=np.float64)
        count = len(self.langlist)
        return np.full(count, 1.0 / count, dtype=np.float64)

    def _update_lang_prob(self, prob: np.ndarray, word: str | None, alpha: float) -> bool:
        if word is None:
            return False
        vector = _VECTORS.get(word)
        if vector is None:
            if word not in self.word_lang_prob_map:
                return False
            vector = np.array(self.word_lang_prob_map[word], dtype=np.float64)
            if len(_VECTORS) < MAX_CACHED_VECTORS:
                _VECTORS[word] = vector
        prob *= alpha / self.BASE_FREQ + vector
        return True

    def _normalize_prob(self, prob: np.ndarray) -> float:
        total = sum(prob.tolist())  # left to right, as langdetect sums
        prob /= total
        return float(prob.max())

    def _sort_probability(self, prob: Any) -> list[Language]:
        result = [
            Language(lang, float(p))
            for lang, p in zip(self.langlist, prob, strict=True)
            if p > self.PROB_THRESHOLD
        ]
        result.sort(reverse=True)
        return result


def detect_langs(text: str, seed: int = 0) -> list[Language]:
    """langdetect.detect_langs(text) with DetectorFactory.seed = `seed`, faster."""
    detector_factory.init_factory()
    factory = detector_factory._factory
    assert factory is not None
    detector = FastDetector(factory)
    detector.seed = seed
    detector.append(text)
    languages: list[Language] = detector.get_probabilities()
    return languages
