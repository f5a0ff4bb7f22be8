"""Text → vectors with a sentence-transformers model that is already on this machine.

``label_errors: {embedding_model: PATH_OR_NAME}`` learns the labels from sentence embeddings instead
of TF-IDF. A word model reads "not bad" as *bad*; a sentence encoder trained on paraphrases places it
near "good". curate never downloads a model: PATH_OR_NAME is a model folder (absolute, or relative to
the dataset folder, then to the current directory) or a Hugging Face model id already in the local
cache (``HF_HUB_CACHE`` / ``HF_HOME``, or ``SENTENCE_TRANSFORMERS_HOME``). A dataset's own
curate.yaml is untrusted: there the folder must lie inside the dataset folder (or the name be a
cached model id). It is resolved to a folder here (:func:`locate`) and loaded from that folder with
``local_files_only=True``, never with remote code.

Why sentence-transformers on PyTorch (the ``curate[embeddings]`` extra) rather than a lighter
runtime: it is the library in which nearly every published sentence-embedding model is saved and
loaded, so any folder a user has works as it is; PyTorch's CPU build is one ~190 MB wheel (the
default build on PyPI brings several GB of CUDA libraries: install the CPU build first, as
``.ci/run`` does). The extra is optional: curate imports neither library unless a suite names a
model.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

INSTALL_HINT = "pip install 'curate[embeddings]'"
BATCH_ROWS = 1024  # rows encoded between progress updates
DEFAULT_ORG = "sentence-transformers"  # sentence-transformers' own prefix for bare model names


class EncoderUnavailable(ValueError):
    """The library is not installed, or the model is not on this machine (curate never downloads one)."""


def library_missing() -> str | None:
    """Why sentence-transformers cannot be used (one line), or None when it can."""
    for module in ("sentence_transformers", "torch"):
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):  # a module set to None in sys.modules, or a broken install
            found = False
        if not found:
            return f"embedding_model needs the {module.replace('_', '-')} library, which is not installed: {INSTALL_HINT}"
    return None


REPO_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?")  # a Hub model id: NAME or OWNER/NAME


def locate(name: str, roots: list[Path], *, expand_user: bool = True) -> Path:
    """The local folder of model ``name``: a folder (tried under each of ``roots`` when relative), else
    a model id in the local Hugging Face cache. Raises :class:`EncoderUnavailable` saying where it looked.
    ``expand_user=False`` for a name from an untrusted suite (``~`` is then an ordinary folder name)."""
    path = Path(name).expanduser() if expand_user else Path(name)
    candidates = [path] if path.is_absolute() else [root / path for root in roots]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate.resolve()
        if candidate.is_file():
            raise EncoderUnavailable(f"embedding model '{name}' is a file; give the model's folder (the one with modules.json or config.json)")
    if not REPO_ID.fullmatch(name):
        raise EncoderUnavailable(f"embedding model folder '{name}' not found (looked in {', '.join(str(c) for c in candidates)})")
    return _cached(name)


def _cached(name: str) -> Path:
    """A model id's snapshot folder in the local cache, without any network request."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    cache_dir = os.environ.get("SENTENCE_TRANSFORMERS_HOME") or None
    ids = [name] if "/" in name else [f"{DEFAULT_ORG}/{name}", name]
    for repo_id in ids:
        try:
            return Path(snapshot_download(repo_id, cache_dir=cache_dir, local_files_only=True))
        except (LocalEntryNotFoundError, HFValidationError, FileNotFoundError, OSError):
            continue
    from huggingface_hub.constants import HF_HUB_CACHE

    raise EncoderUnavailable(
        f"embedding model '{name}' is neither a folder nor in the local model cache ({cache_dir or HF_HUB_CACHE}); "
        "curate never downloads models: save the model to a folder and name the folder, or fill the cache "
        "beforehand (e.g. huggingface-cli download MODEL)"
    )


def fingerprint(folder: Path) -> str:
    """A digest of the model folder's file names, sizes and modification times (the result cache's key:
    a re-saved or edited model is a different model)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        stat = path.stat()
        digest.update(f"{path.relative_to(folder)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:32]


@contextmanager
def _quiet() -> Iterator[None]:
    """No download or weight-loading progress bars from transformers while curate shows its own."""
    from transformers.utils import logging as hf_logging

    bars, level = hf_logging.is_progress_bar_enabled(), hf_logging.get_verbosity()
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        hf_logging.set_verbosity(level)
        if bars:
            hf_logging.enable_progress_bar()


def load(folder: Path) -> Any:
    """The model in ``folder``, on the CPU, from local files only and without remote code."""
    why = library_missing()
    if why:
        raise EncoderUnavailable(why)
    from sentence_transformers import SentenceTransformer

    with _quiet():
        try:
            return SentenceTransformer(str(folder), device="cpu", local_files_only=True, trust_remote_code=False)
        except Exception as exc:  # a folder that is not a model: unreadable config, missing weights, …
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise EncoderUnavailable(f"cannot load the embedding model in {folder}: {first[:200]}") from None


def encode(model: Any, texts: list[str], progress: Any = None, description: str = "encoding") -> np.ndarray:
    """One float32 row per text (the model's own pooling, not normalised), in batches with progress."""
    starts = range(0, len(texts), BATCH_ROWS)
    if progress is not None:
        starts = progress.track(starts, len(starts), description)
    with _quiet():
        parts = [model.encode(texts[a : a + BATCH_ROWS], convert_to_numpy=True, show_progress_bar=False) for a in starts]
    if not parts:
        return np.zeros((0, model.get_sentence_embedding_dimension() or 0), dtype=np.float32)
    return np.vstack(parts).astype(np.float32, copy=False)


__all__ = ["EncoderUnavailable", "encode", "fingerprint", "library_missing", "load", "locate"]
