from __future__ import annotations

from fastapi import APIRouter

from api.deps import ReadCaller, RuntimeDep
from api.routes._common import problems
from api.schemas import EvidencePublic, SearchCreate, SearchHitPublic, SearchPublic
from screener.service import search_pool

router = APIRouter(prefix="/v1/search", tags=["search"])


@router.post("", response_model=SearchPublic, responses=problems(404, 422))
def search(body: SearchCreate, _caller: ReadCaller, runtime: RuntimeDep) -> SearchPublic:
    """Stored candidates ranked for a free-text query or a role (semantic closeness of their
    CV chunks), with the chunks that matched."""
    hits = search_pool(runtime=runtime, query=body.query, role_id=body.role_id, k=body.k)
    return SearchPublic(
        data=[
            SearchHitPublic(
                candidate_id=hit.candidate_id, score=hit.score,
                evidence=[EvidencePublic.model_validate(e, from_attributes=True)
                          for e in hit.evidence],
            )
            for hit in hits
        ]
    )  # fmt: skip
