"""Shared fixtures: one model trained on the shipped corpus per test session (about 10 s)."""

from __future__ import annotations

import pytest

from classifier.dataset import load_corpus
from classifier.model import TextClassifier
from classifier.train import ModelMeta, train


@pytest.fixture(scope="session")
def corpus_model() -> tuple[TextClassifier, ModelMeta]:
    return train(load_corpus(), progress=None, version="test-full")
