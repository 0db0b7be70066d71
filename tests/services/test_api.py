"""The public surface of govanalytics.services: small, importable, documented."""

from __future__ import annotations

import inspect

import govanalytics.services as services


def test_all_names_exist_and_are_documented() -> None:
    assert len(services.__all__) == len(set(services.__all__))
    for name in services.__all__:
        obj = getattr(services, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert obj.__module__.startswith("govanalytics.services._"), name
            assert (obj.__doc__ or "").strip(), f"{name} has no docstring"


def test_no_public_module_besides_the_package() -> None:
    public = [n for n, v in vars(services).items() if inspect.ismodule(v) and not n.startswith("_")]
    assert public == []
