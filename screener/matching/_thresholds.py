"""Calibrated semantic thresholds, shipped as data (``screener/data/matching_thresholds.json``).

``python -m benchmarks.calibrate`` writes the file; its docstring says how the cut-offs are
chosen. Thresholds belong to one model: a different model hash is logged, and the service still
starts with them (coverage from alias hits is unaffected) until the file is recalibrated.
"""

from __future__ import annotations

import json
import logging
from importlib import resources
from pathlib import Path

from screener.matching._model import MatchThresholds

__all__ = ["THRESHOLDS_FILE", "load_thresholds"]

logger = logging.getLogger(__name__)

THRESHOLDS_FILE = "matching_thresholds.json"


def load_thresholds(
    model_hash: str, path: Path | None = None, *, skill_texts: dict[str, str] | None = None
) -> MatchThresholds:
    """The calibrated thresholds; ``path`` overrides the packaged file.

    Args:
        model_hash: the loaded model's hash.
        path: another thresholds file.
        skill_texts: ``SkillVectors.text_hashes`` of the loaded roles; a calibrated skill whose
            texts changed since (an edited role file) is logged so the file gets recalibrated.
            Skills the file does not know (custom roles) use the global thresholds.
    """
    source = path or resources.files("screener") / "data" / THRESHOLDS_FILE
    data = json.loads(source.read_text(encoding="utf-8"))
    if data.get("model_hash") != model_hash:
        logger.warning(
            "matching thresholds were calibrated for another model; recalibrate",
            extra={"calibrated_for": data.get("model_hash"), "model_hash": model_hash},
        )
    calibrated_texts: dict[str, str] = data.get("skill_texts", {})
    changed = sorted(
        skill_id
        for skill_id, text_hash in (skill_texts or {}).items()
        if skill_id in calibrated_texts and calibrated_texts[skill_id] != text_hash
    )
    if changed:
        logger.warning(
            "skills changed since the thresholds were calibrated; recalibrate",
            extra={"skills": changed},
        )
    return MatchThresholds(
        found=float(data["found"]),
        related=float(data["related"]),
        per_skill={k: (float(v[0]), float(v[1])) for k, v in data.get("per_skill", {}).items()},
        model_hash=model_hash,
    )
