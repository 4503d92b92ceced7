"""Fixtures shared by test modules."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


@pytest.fixture
def small_filesystem(tmp_path):
    """A 256 KiB tmpfs mounted at tmp_path/small, or a skip saying why there can be none."""
    folder = tmp_path / "small"
    folder.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root and mount(8)")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
