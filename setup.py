"""Build hook: the shipped scenarios are installed with the package.

They stay in the top-level ``scenarios/`` folder of the repository (where they are edited and
reviewed); building a wheel copies every ``.yaml`` file under it into the package as
``rsi_sim/_scenarios/``, so ``rsi-sim run baseline`` works after ``pip install .`` from any
folder. An editable install and a source checkout read ``scenarios/`` directly
(``rsi_sim/scenario/shipped.py``). All other metadata is in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SCENARIOS = Path(__file__).resolve().parent / "scenarios"


class BuildWithScenarios(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False) or not SCENARIOS.is_dir():
            return  # an editable install reads scenarios/ in place
        target = Path(self.build_lib) / "rsi_sim" / "_scenarios"
        shutil.rmtree(target, ignore_errors=True)
        for src in sorted(SCENARIOS.rglob("*.yaml")):
            dst = target / src.relative_to(SCENARIOS)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)


setup(cmdclass={"build_py": BuildWithScenarios})
