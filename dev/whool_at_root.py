"""PEP 517 build backend: whool, for an addon at the root of its git repository.

whool (``whool.buildapi``, the OCA build backend) names the distribution after
the folder it builds in (``odoo-addon-<folder>``) and packages every file git
tracks. This repository's root is the addon ``unified_inbox``, so a clone in a
folder called otherwise would give a wrongly named wheel, and the repository's
tooling (``dev/``, ``.ci/``, ``Makefile``...) would land in the addon.

This module builds through a link named after the addon (its git history, hence
whool's version number, is the repository's), and removes the paths listed in
``[tool.whool-at-root] wheel-exclude`` of ``pyproject.toml`` from the wheel.
Everything else is whool's: metadata from the manifest, ``[tool.whool]``
options, sdists (complete: a wheel built from one needs this module).
It calls whool's internal build functions: ``pyproject.toml`` pins whool.
"""

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whool import buildapi as _whool
from whool.utils import load_pyproject_toml

__all__ = [
    "build_editable",
    "build_sdist",
    "build_wheel",
    "prepare_metadata_for_build_editable",
    "prepare_metadata_for_build_wheel",
]


def _options(root: Path) -> dict[str, Any]:
    return load_pyproject_toml(root).get("tool", {}).get("whool-at-root", {})


@contextmanager
def _addon_dir() -> Iterator[Path]:
    """The folder to build, under the addon's name (a temporary link if needed)."""
    root = Path.cwd()
    name = _options(root).get("addon-name") or root.name
    if root.name == name:
        yield root
        return
    with tempfile.TemporaryDirectory() as tmp:
        link = Path(tmp) / name
        link.symlink_to(root, target_is_directory=True)
        yield link


def _remove(dst: Path, patterns: list[str]) -> None:
    for pattern in patterns:
        for path in sorted(dst.glob(pattern), reverse=True):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif path.exists() or path.is_symlink():
                path.unlink()


def _build_wheel(wheel_directory: str, editable: bool) -> str:
    with _addon_dir() as addon_dir:
        exclude = list(_options(addon_dir).get("wheel-exclude", []))
        copy_to = _whool._copy_to

        def copy_without_tooling(src: Path, dst: Path) -> None:
            copy_to(src, dst)
            _remove(dst, exclude)

        _whool._copy_to = copy_without_tooling
        try:
            wheel_name = _whool._build_wheel(addon_dir, Path(wheel_directory), editable=editable)
        finally:
            _whool._copy_to = copy_to
        if editable and addon_dir != Path.cwd():
            # whool linked build/__editable__/odoo/addons/<name> to the
            # temporary link: point it at the repository itself.
            editable_link = Path.cwd() / "build" / "__editable__" / "odoo" / "addons" / addon_dir.name
            editable_link.unlink()
            editable_link.symlink_to(Path.cwd(), target_is_directory=True)
    return wheel_name


def build_wheel(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    return _build_wheel(wheel_directory, editable=False)


def build_editable(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    return _build_wheel(wheel_directory, editable=True)


def build_sdist(sdist_directory: str, config_settings: dict[str, Any] | None = None) -> str:
    with _addon_dir() as addon_dir:
        return _whool._build_sdist(addon_dir, Path(sdist_directory))


def prepare_metadata_for_build_wheel(
    metadata_directory: str, config_settings: dict[str, Any] | None = None
) -> str:
    with _addon_dir() as addon_dir:
        return _whool._make_dist_info(_whool._get_metadata(addon_dir), Path(metadata_directory))


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel
