"""The privacy gate reads text, not binary payloads that happen to contain digit runs."""

from __future__ import annotations

import json
from pathlib import Path

from govanalytics.privacy import scan_file, scan_text


def test_digits_inside_base64_images_are_not_phone_numbers() -> None:
    page = '<img src="data:image/png;base64,iVBORw0KGgoAAb16142342557Zzq+/=">'
    assert scan_text(page) == []
    # the same digits in visible text are found
    assert scan_text("联系电话 16142342557") == [("mobile", "16142342557")]


def test_notebook_image_outputs_skipped_text_outputs_scanned(tmp_path: Path) -> None:
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "source": "show()",
                "outputs": [
                    {"output_type": "display_data", "data": {"image/png": "AAb16142342557Zz"}},
                    {"output_type": "stream", "name": "stdout", "text": "手机 13912345678"},
                ],
            }
        ]
    }
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    hits = scan_file(path)
    assert [(h.place, h.value) for h in hits] == [("cell 0 output 1", "13912345678")]
