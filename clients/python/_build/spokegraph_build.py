"""A PEP 517 / PEP 660 build backend for this one pure-Python package, using only the standard library.

Why not setuptools: pip builds in an isolated environment by default and would download the backend
named in `requires` from a package index; the gateway's users (and its CI) are often offline. With
`requires = []` pip installs nothing before calling these hooks, so `pip install ./clients/python`
works anywhere pip does. The wheel is the package directory plus the `*.dist-info` files the wheel
spec (PEP 427) and core metadata 2.1 ask for; metadata comes from pyproject.toml's [project] table.
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import sys
import tarfile
import time
import zipfile
from pathlib import Path
from typing import Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "spokegraph"
# Files of the package that go into wheels and sdists (tests and caches stay out).
SDIST_EXTRA = ["pyproject.toml", "README.md", "_build/spokegraph_build.py"]


def _toml() -> dict:
    try:
        import tomllib  # Python 3.11+
    except ModuleNotFoundError:  # pragma: no cover - older interpreters get tomli as a build requirement
        import tomli as tomllib  # type: ignore[no-redef]
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def _project() -> dict:
    return _toml()["project"]


def _build_requires() -> List[str]:
    return [] if sys.version_info >= (3, 11) else ["tomli>=1.1"]


def get_requires_for_build_wheel(config_settings: Optional[dict] = None) -> List[str]:
    return _build_requires()


def get_requires_for_build_sdist(config_settings: Optional[dict] = None) -> List[str]:
    return _build_requires()


def get_requires_for_build_editable(config_settings: Optional[dict] = None) -> List[str]:
    return _build_requires()


def _dist_info_name(p: dict) -> str:
    return f"{p['name'].replace('-', '_')}-{p['version']}.dist-info"


def _metadata(p: dict) -> str:
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {p['name']}",
        f"Version: {p['version']}",
        f"Summary: {p.get('description', '')}",
        f"Requires-Python: {p['requires-python']}" if "requires-python" in p else "",
        f"License: {p['license']['text']}" if isinstance(p.get("license"), dict) and "text" in p["license"] else "",
    ]
    lines += [f"Classifier: {c}" for c in p.get("classifiers", [])]
    lines += [f"Requires-Dist: {d}" for d in p.get("dependencies", [])]
    for extra, deps in p.get("optional-dependencies", {}).items():
        lines.append(f"Provides-Extra: {extra}")
        lines += [f'Requires-Dist: {d}; extra == "{extra}"' for d in deps]
    body = ""
    readme = p.get("readme")
    if isinstance(readme, str) and (ROOT / readme).is_file():
        lines.append("Description-Content-Type: text/markdown")
        body = "\n" + (ROOT / readme).read_text(encoding="utf-8")
    return "\n".join(line for line in lines if line) + "\n" + body


def _wheel_file() -> str:
    return "Wheel-Version: 1.0\nGenerator: spokegraph_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def _package_files() -> List[Tuple[str, Path]]:
    out = []
    for path in sorted((ROOT / PACKAGE).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".typed"):
            out.append((path.relative_to(ROOT).as_posix(), path))
    return out


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _write_wheel(wheel_directory: str, entries: List[Tuple[str, bytes]]) -> str:
    p = _project()
    dist_info = _dist_info_name(p)
    entries = entries + [
        (f"{dist_info}/METADATA", _metadata(p).encode()),
        (f"{dist_info}/WHEEL", _wheel_file().encode()),
        (f"{dist_info}/top_level.txt", f"{PACKAGE}\n".encode()),
    ]
    record = [_record_line(name, data) for name, data in entries] + [f"{dist_info}/RECORD,,"]
    entries.append((f"{dist_info}/RECORD", ("\n".join(record) + "\n").encode()))
    filename = f"{p['name'].replace('-', '_')}-{p['version']}-py3-none-any.whl"
    # A fixed timestamp keeps the wheel reproducible (SOURCE_DATE_EPOCH wins when set).
    stamp = time.gmtime(int(os.environ.get("SOURCE_DATE_EPOCH", "315532800")))[:6]
    with zipfile.ZipFile(Path(wheel_directory) / filename, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return filename


def prepare_metadata_for_build_wheel(metadata_directory: str, config_settings: Optional[dict] = None) -> str:
    p = _project()
    target = Path(metadata_directory) / _dist_info_name(p)
    target.mkdir(parents=True, exist_ok=True)
    (target / "METADATA").write_text(_metadata(p), encoding="utf-8")
    (target / "WHEEL").write_text(_wheel_file(), encoding="utf-8")
    return target.name


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(wheel_directory: str, config_settings: Optional[dict] = None, metadata_directory: Optional[str] = None) -> str:
    return _write_wheel(wheel_directory, [(name, path.read_bytes()) for name, path in _package_files()])


def build_editable(wheel_directory: str, config_settings: Optional[dict] = None, metadata_directory: Optional[str] = None) -> str:
    # PEP 660: a .pth file puts the source directory on sys.path, so edits show without reinstalling.
    return _write_wheel(wheel_directory, [(f"__editable__.{PACKAGE}.pth", (str(ROOT) + "\n").encode())])


def build_sdist(sdist_directory: str, config_settings: Optional[dict] = None) -> str:
    p = _project()
    base = f"{p['name'].replace('-', '_')}-{p['version']}"
    files: Dict[str, bytes] = {name: path.read_bytes() for name, path in _package_files()}
    for extra in SDIST_EXTRA:
        files[extra] = (ROOT / extra).read_bytes()
    files["PKG-INFO"] = _metadata(p).encode()
    filename = f"{base}.tar.gz"
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))
    with tarfile.open(Path(sdist_directory) / filename, "w:gz", format=tarfile.PAX_FORMAT) as tf:
        for name in sorted(files):
            info = tarfile.TarInfo(f"{base}/{name}")
            info.size = len(files[name])
            info.mtime = mtime
            info.mode = 0o644
            tf.addfile(info, io.BytesIO(files[name]))
    return filename
