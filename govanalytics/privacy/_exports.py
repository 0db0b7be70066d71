"""Person-level exports for departments: a private folder outside every report, private files.

Rule (导出目录规则)
-------------------
Named lists (the bus-card roll, delivery list, promotion plan, conflict list) hold personal
data for the serving departments only. They are written

* into a folder that is **not** part of a report: no folder on its path is called ``reports``,
  is a report week (``2026-W47``), a build folder of the runner (``.tmp-…``, ``.old-…``), or
  holds a report's ``manifest.json`` or a notebook's ``summary.json`` — anything published or
  about to be published; such a folder is refused with :class:`PrivacyError`;
* with mode ``0700`` on the export folder and ``0600`` on each file (readable by its owner
  only), the file written under a temporary name and moved into place, so that a reader never
  sees a half-written list and no list is ever world-readable, even for a moment.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from govanalytics.errors import ParameterError, PrivacyError

__all__ = ["exports_folder", "private_file"]

_WEEK = re.compile(r"\d{4}-W\d{2}")
_REPORT_MARKERS = ("manifest.json", "summary.json")


def _report_part(folder: Path) -> str | None:
    """Why ``folder`` belongs to a report (None: it does not)."""
    for part in (folder, *folder.parents):
        name = part.name
        if name.lower() == "reports":
            return f"the folder {part} is the reports folder"
        if _WEEK.fullmatch(name):
            return f"the folder {part} is a report week"
        if name.startswith((".tmp-", ".old-")):
            return f"the folder {part} is a report being built"
        for marker in _REPORT_MARKERS:
            if (part / marker).is_file():
                return f"the folder {part} holds a report's {marker}"
    return None


def exports_folder(exports_dir: str | Path) -> Path:
    """Check and create the folder of person-level exports (mode ``0700``).

    Parameters
    ----------
    exports_dir
        Folder for the departments' named lists, e.g. ``data/exports``.

    Returns
    -------
    Path
        The folder (absolute), created if missing, readable by its owner only.

    Raises
    ------
    PrivacyError
        When the folder lies inside a report (see the module's rule).
    ParameterError
        When ``exports_dir`` is empty or not a path.
    """
    if not isinstance(exports_dir, str | os.PathLike) or not str(exports_dir).strip():
        msg = f"parameter 'exports_dir' must be a folder path, got {exports_dir!r}"
        raise ParameterError(msg)
    folder = Path(exports_dir).expanduser().resolve()
    why = _report_part(folder)
    if why:
        msg = (
            f"parameter 'exports_dir' = {str(exports_dir)!r}: {why}; named lists must never be "
            "written where a report is published.\n"
            "Hint: use a folder outside reports/, e.g. data/exports."
        )
        raise PrivacyError(msg)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(PermissionError):  # a shared folder of another owner stays as is
        folder.chmod(0o700)
    return folder


@contextlib.contextmanager
def private_file(path: str | Path) -> Iterator[Path]:
    """A temporary path (mode ``0600``) to write ``path`` to; moved into place on success.

    Parameters
    ----------
    path
        The final file, in a folder from :func:`exports_folder`.

    Yields
    ------
    Path
        Where to write; removed again when writing fails.

    Examples
    --------
    >>> with private_file(folder / "名单.xlsx") as tmp:  # doctest: +SKIP
    ...     table.write_excel(tmp)
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=target.suffix, dir=target.parent)
    os.close(fd)  # mkstemp creates the file with mode 0600; writers keep it when truncating
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
