"""The public surface of govanalytics.mobility is exactly its ``__all__``."""

from __future__ import annotations

import govanalytics.mobility as mobility


def test_all_names_exist_and_are_documented() -> None:
    for name in mobility.__all__:
        obj = getattr(mobility, name)
        assert obj.__doc__, name
    public = {n for n in dir(mobility) if not n.startswith("_")}
    assert public == set(mobility.__all__)
