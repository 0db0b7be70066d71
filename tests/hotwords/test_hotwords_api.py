"""The public surface of govanalytics.hotwords: small, exported, documented."""

from __future__ import annotations

import inspect

import govanalytics.hotwords as hw


def test_all_names_exist_and_are_documented() -> None:
    assert len(hw.__all__) == len(set(hw.__all__))
    for name in hw.__all__:
        obj = getattr(hw, name)
        if callable(obj):
            assert inspect.getdoc(obj), f"{name} has no docstring"


def test_public_functions_take_options_by_keyword() -> None:
    for name in ("prepare_comments", "detect_hot_words", "count_words", "discover_words"):
        params = inspect.signature(getattr(hw, name)).parameters.values()
        positional = [p for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
        assert len(positional) <= 1, name
