"""Locating packaged data (lexicons/, models/) from an installed or source tree."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def data_root() -> Path:
    """Folder holding lexicons/ and models/.

    ``TENDERSCAN_DATA`` overrides; otherwise the folders next to the package (source
    checkout) or inside it (wheel: they are installed as ``scanner/_data``).
    """
    env = os.environ.get("TENDERSCAN_DATA")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    for candidate in (here / "_data", here.parent):
        if (candidate / "lexicons" / "taxonomy.yaml").is_file():
            return candidate
    raise FileNotFoundError("lexicons/ not found; set TENDERSCAN_DATA")


def lexicons_dir() -> Path:
    return data_root() / "lexicons"


def models_dir() -> Path:
    return data_root() / "models"
