"""Fixtures of the parallel engine's tests: generated corpora, built once."""

from __future__ import annotations

from pathlib import Path

import pytest

from pbuild import corpus


@pytest.fixture(scope="session")
def content300(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 generated stories (bench/generate.py, seed 7)."""
    return corpus(tmp_path_factory.mktemp("c300"), 300)


@pytest.fixture(scope="session")
def content60(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 generated stories, for the quicker tests."""
    return corpus(tmp_path_factory.mktemp("c60"), 60)
