"""The real pinned model: semantics, normalisation, caching, refusals."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from embeddings import (
    ChunkTooLongError,
    EmbeddingCache,
    EmbeddingModel,
    ModelNotReadyError,
    Precision,
    resolve_precision,
)
from embeddings._model import _FEW_TEXTS, cpu_has_amx
from tests.conftest import REPO_ROOT


def test_encode_ranks_paraphrase_above_unrelated_skill(embedding_model: EmbeddingModel) -> None:
    claim, lora, kubernetes = embedding_model.encode(
        [
            "fine-tuned Llama with low-rank adapters",
            "PEFT LoRA parameter-efficient fine-tuning",
            "Kubernetes cluster administration",
        ]
    )
    assert float(claim @ lora) > float(claim @ kubernetes) + 0.2


def test_encode_returns_unit_float32_rows_in_input_order(embedding_model: EmbeddingModel) -> None:
    texts = ["PyTorch", "Ich habe Modelle mit PyTorch trainiert.", "", "Ran a bakery", "PyTorch"]
    vectors = embedding_model.encode(texts)
    assert vectors.dtype == np.float32 and vectors.shape == (5, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(vectors[0], vectors[4])
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[3])
    assert embedding_model.encode([]).shape == (0, 384)


def test_encode_reuses_cached_vectors_without_running_model(
    embedding_model: EmbeddingModel,
) -> None:
    texts = [
        "Deployed a retrieval-augmented generation service on AWS SageMaker (cache test).",
        "Built feature pipelines in Spark and Airflow (cache test).",
    ]
    before = embedding_model.texts_encoded
    first = embedding_model.encode(texts)
    assert embedding_model.texts_encoded == before + 2
    again = embedding_model.encode([texts[1], texts[0], texts[1]])
    assert embedding_model.texts_encoded == before + 2
    np.testing.assert_array_equal(again, first[[1, 0, 1]])


def test_cache_file_serves_vectors_after_restart(tmp_path: Path) -> None:
    path = tmp_path / "vectors.sqlite"
    writer = EmbeddingCache(path=path)
    vectors = np.eye(3, 384, dtype=np.float32)
    writer.put_many("model-a/fp32", ["a", "b", "c"], vectors)
    writer.close()
    reader = EmbeddingCache(path=path, max_items=2)
    found = reader.get_many("model-a/fp32", ["c", "a", "missing"])
    np.testing.assert_array_equal(found[0], vectors[2])
    np.testing.assert_array_equal(found[1], vectors[0])
    assert found[2] is None
    assert reader.get_many("model-b/fp32", ["a"]) == [None]
    assert reader.discard("model-a/fp32", ["a", "b", "missing"]) == 2
    assert reader.get_many("model-a/fp32", ["a", "b"]) == [None, None]
    assert len(sqlite_keys(path)) == 1


def sqlite_keys(path: Path) -> list[bytes]:
    import sqlite3

    with sqlite3.connect(path) as connection:
        return [row[0] for row in connection.execute("SELECT key FROM vectors")]


def test_encode_refuses_text_longer_than_model_reads(embedding_model: EmbeddingModel) -> None:
    with pytest.raises(ChunkTooLongError, match="chunk_text"):
        embedding_model.encode(["gradient " * 300])


def test_encode_refuses_before_warm_up() -> None:
    model = EmbeddingModel()
    with pytest.raises(ModelNotReadyError, match="warm_up"):
        model.encode(["anything"])


def test_init_refuses_unknown_precision_naming_options() -> None:
    with pytest.raises(ValueError, match="'auto', 'fp32', 'bf16'"):
        EmbeddingModel(precision="fp16")


@pytest.mark.parametrize(
    ("requested", "native", "expected"),
    [
        (Precision.AUTO, True, Precision.BF16),
        (Precision.AUTO, False, Precision.FP32),
        (Precision.BF16, False, Precision.FP32),
        (Precision.BF16, True, Precision.BF16),
        (Precision.FP32, True, Precision.FP32),
    ],
)
def test_resolve_precision_uses_bf16_only_when_native(
    requested: Precision, native: bool, expected: Precision
) -> None:
    assert resolve_precision(requested, device_type="cpu", bf16_native=native) is expected


def test_model_reports_pinned_facts(embedding_model: EmbeddingModel) -> None:
    assert embedding_model.dimension == 384
    assert embedding_model.max_seq_length == 256
    assert embedding_model.precision is Precision.FP32
    assert embedding_model.cache_namespace == f"{embedding_model.model_hash}/fp32/unpadded-512"


def test_encode_and_chunking_from_several_threads_give_the_same_vectors(
    embedding_model: EmbeddingModel,
) -> None:
    import threading

    from embeddings import chunk_text

    texts = [f"Trained gradient boosted models on {i} million transactions." * (i % 4 + 1)
             for i in range(24)]  # fmt: skip
    expected = embedding_model.encode(texts)
    errors: list[str] = []

    def work(offset: int) -> None:
        try:
            for _ in range(3):
                chunk_text(texts[offset] * 4, tokenizer=embedding_model.tokenizer)
                got = embedding_model._encode_uncached(texts[offset::4])  # bypass the cache
                assert np.allclose(got, expected[offset::4], atol=1e-5)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(repr(exc))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_encode_matches_sentence_transformers_on_the_same_files(
    embedding_model: EmbeddingModel,
) -> None:
    # The encoder is written out in embeddings._bert; the reference loader must agree with it.
    sentence_transformers = pytest.importorskip("sentence_transformers")
    from embeddings import load_verified_lock

    _, model_dir = load_verified_lock(None)
    reference = sentence_transformers.SentenceTransformer(
        str(model_dir), device="cpu", local_files_only=True
    )
    texts = [
        "Fine-tuned Llama 2 with LoRA adapters on 40k support tickets",
        "Python, SQL, PyTorch, MLflow",
        "Ich habe Modelle mit PyTorch trainiert.",
        "x",
        " ".join(["deployed models on Kubernetes with Triton"] * 25),  # ~200 tokens
    ]
    ours = embedding_model.encode(texts)
    theirs = reference.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    np.testing.assert_allclose(ours, theirs, atol=1e-5)
    expected_ids = reference.tokenizer(texts)["input_ids"]
    assert embedding_model.tokenizer.ids(texts) == [list(ids) for ids in expected_ids]


def test_packs_hold_texts_shortest_first_within_both_limits() -> None:
    from embeddings._bert import packs

    lengths = [120, 3, 256, 4, 100, 3, 5, 3, 3]
    assert packs(lengths, max_texts=64, max_tokens=None) == [[1, 5, 7, 8, 3, 6, 4, 0, 2]]
    assert packs(lengths, max_texts=3, max_tokens=None) == [[1, 5, 7], [8, 3, 6], [4, 0, 2]]
    assert packs(lengths, max_texts=64, max_tokens=250) == [[1, 5, 7, 8, 3, 6, 4, 0], [2]]
    assert packs(lengths, max_texts=64, max_tokens=200) == [[1, 5, 7, 8, 3, 6, 4], [0], [2]]
    assert packs([], max_texts=8, max_tokens=None) == []


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_a_vector_does_not_depend_on_the_texts_encoded_with_it(precision: str) -> None:
    """Screening many CVs in one pass must give each CV the vectors it gets alone (and the
    cache must not remember a vector that depended on its neighbours)."""
    model = EmbeddingModel(
        REPO_ROOT / "models.lock", device="cpu", batch_size=4, precision=precision, cache=None
    )
    model.warm_up()
    text = "Built a retrieval-augmented generation service with LangChain and pgvector."
    others = [
        "Python",
        "Fine-tuned Llama 2 with QLoRA on 8 A100 GPUs and served it with vLLM behind FastAPI.",
        "Kubernetes, Docker, Terraform, GitHub Actions, Prometheus and Grafana.",
        "Designed the feature store and the monitoring of data drift for credit scoring models. "
        * 6,
        "Led a team of four.",
    ]
    # passes of more rows than the 512 every pass is filled up to
    long = [
        f"Release {n}: shipped the ranking service, its tests and dashboards. " * 14
        for n in range(3)
    ]
    texts = [text, *others, *long]
    # small calls on one CPU thread, as on CPUs with AMX (``EmbeddingModel._threads``), so the
    # comparison with the every-thread call below runs on any CPU
    threads = torch.get_num_threads()
    # one CV on one thread only where bf16 runs on AMX; fp32 and AVX-512 bf16 use every thread
    single = _FEW_TEXTS if precision == "bf16" and cpu_has_amx() else 0
    assert model._one_thread_up_to == single
    model._one_thread_up_to = _FEW_TEXTS
    alone = {t: model.encode([t])[0] for t in texts}  # "Python" alone is a 3-token pass
    for batch in (
        [*others, text],
        [text, *others[:2]],
        [others[3], text, others[1]],
        [*long, text],
        [long[2], others[0], long[0], others[3]],
    ):
        together = model.encode(batch)
        for position, member in enumerate(batch):
            assert np.array_equal(alone[member], together[position]), (precision, member)
    assert torch.get_num_threads() == threads  # restored after each one-thread call
    # a call of more texts than one CV has runs on every CPU thread
    filler = [f"Line {n}: maintained the data pipelines of team {n % 7}." for n in range(300)]
    many = model.encode([*filler, *texts])
    assert torch.get_num_threads() == threads
    for position, member in enumerate(texts, start=len(filler)):
        assert np.array_equal(alone[member], many[position]), (precision, member)


def test_the_tokenizer_pickles_as_its_file_and_cuts_the_same_tokens(
    embedding_model: EmbeddingModel,
) -> None:
    tokenizer = embedding_model.tokenizer
    copy = pickle.loads(pickle.dumps(tokenizer))
    text = "Fine-tuned Llama-2 with LoRA; served it on vLLM (p95 < 200 ms)."
    assert copy is not tokenizer
    assert copy.offsets(text) == tokenizer.offsets(text)
    assert copy.ids([text, "PyTorch"]) == tokenizer.ids([text, "PyTorch"])
    assert copy.special_tokens == tokenizer.special_tokens == 2
    assert copy.words_tokenised_alone


def test_the_tokenizer_loads_without_torch() -> None:
    # parse workers chunk with it and never import torch
    script = (
        "import sys\n"
        "from embeddings._tokenizer import BertTokenizer\n"
        "from screener.matching import CVChunker\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=REPO_ROOT)
