"""What the CLI tests share: a runner, a checked call of a command, a copy of the demo case."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from callsift.cli import app

runner = CliRunner()


def run(*args: str, code: int = 0) -> Any:
    """Run ``callsift ARGS``; its JSON when ``--json`` was asked and it succeeded."""
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return json.loads(result.stdout) if "--json" in args and code == 0 else result


@pytest.fixture(scope="module")
def case(demo_case: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy of the processed demo case of the module's own."""
    root = tmp_path_factory.mktemp("cli") / "case"
    shutil.copytree(demo_case, root)
    return str(root)
