"""Packaging hook: ship the top-level data folders inside the wheel as scanner/_data.

`lexicons/` and `models/` live at the repository top level (the project layout contract);
a non-editable install copies them into the package so `scanner.resources.data_root()`
finds them from any working directory.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DATA_DIRS = ("lexicons", "models")


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        root = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "scanner" / "_data"
        for name in DATA_DIRS:
            src = root / name
            if src.is_dir():
                shutil.copytree(src, target / name, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithData})
