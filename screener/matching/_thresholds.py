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
    model_hash: str, path: Path | None = None, *, skill_vectors: str | None = None
) -> MatchThresholds:
    """The calibrated thresholds; ``path`` overrides the packaged file.

    Args:
        model_hash: the loaded model's hash.
        path: another thresholds file.
        skill_vectors: ``SkillVectors.key`` of the loaded roles; a role file edited since the
            calibration (other skill texts) is logged so the file gets recalibrated.
    """
    source = path or resources.files("screener") / "data" / THRESHOLDS_FILE
    data = json.loads(source.read_text(encoding="utf-8"))
    if data.get("model_hash") != model_hash:
        logger.warning(
            "matching thresholds were calibrated for another model; recalibrate",
            extra={"calibrated_for": data.get("model_hash"), "model_hash": model_hash},
        )
    if skill_vectors is not None and data.get("skill_vectors") != skill_vectors:
        logger.warning(
            "role skills changed since the thresholds were calibrated; recalibrate",
            extra={"calibrated_for": data.get("skill_vectors"), "skill_vectors": skill_vectors},
        )
    return MatchThresholds(
        found=float(data["found"]),
        related=float(data["related"]),
        per_skill={k: (float(v[0]), float(v[1])) for k, v in data.get("per_skill", {}).items()},
        model_hash=model_hash,
    )
