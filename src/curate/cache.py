"""The result cache: expensive artefacts (e.g. label_errors' cross-validated probabilities) reused
across runs on unchanged data, so a CI push does not re-train every model.

An entry is addressed by content: a hash of the data the artefact was computed from, the
parameters that shaped it, and curate's version (a new release never reads an old entry). Entries
are written atomically as ``<sha256>\\n<payload>``: a JSON header plus numpy arrays in ``.npz``
form, loaded with ``allow_pickle=False`` — a cache folder shared in CI is not trusted to hold
code. A corrupt entry (bad checksum, unreadable arrays, wrong shape) is deleted and rebuilt. The
folder is bounded: when it grows past its limit the least recently used entries go first.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
from pathlib import Path
from typing import Any, Callable, TypeVar

from curate.errors import CurateError

FORMAT = 1  # bump when the entry layout changes
DEFAULT_MAX_BYTES = 1024**3
SUFFIX = ".entry"
T = TypeVar("T")


def default_dir() -> Path:
    """``$CURATE_CACHE_DIR``, else the user cache folder (platformdirs)."""
    env = os.environ.get("CURATE_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("curate", appauthor=False))


def default_max_bytes() -> int:
    """``$CURATE_CACHE_MAX_MB`` mebibytes, else 1 GiB."""
    raw = os.environ.get("CURATE_CACHE_MAX_MB")
    if not raw:
        return DEFAULT_MAX_BYTES
    try:
        return max(0, int(float(raw) * 1024 * 1024))
    except ValueError:
        raise CurateError(f"CURATE_CACHE_MAX_MB must be a number of mebibytes, got {raw!r}") from None


def frame_digest(frame: Any) -> str:
    """A hash of a DataFrame's column names, dtypes and values (row order included), index ignored.

    Uses pandas' fixed-key row hashing column by column, so moving a value to another column or
    changing a dtype changes the digest.
    """
    import pandas as pd

    h = hashlib.sha256(f"{frame.shape}".encode())
    for name in frame.columns:
        column = frame[name]
        h.update(json.dumps([str(name), str(column.dtype)]).encode())
        try:
            hashed = pd.util.hash_pandas_object(column, index=False)
        except TypeError:  # unhashable cells (lists from JSON): their text
            hashed = pd.util.hash_pandas_object(column.astype(str), index=False)
        h.update(hashed.to_numpy().tobytes())
    return h.hexdigest()


def array_digest(array: Any) -> str:
    import numpy as np

    array = np.ascontiguousarray(array)
    return hashlib.sha256(f"{array.dtype.str}{array.shape}".encode() + array.tobytes()).hexdigest()


class ResultCache:
    """A folder of content-addressed entries with a size bound (least recently used evicted)."""

    def __init__(self, root: Path | str, max_bytes: int | None = None) -> None:
        self.root = Path(root)
        self.max_bytes = default_max_bytes() if max_bytes is None else max_bytes
        self.hits = self.misses = 0

    # ------------------------------------------------------------ keys

    @staticmethod
    def key(namespace: str, params: dict[str, Any], digests: list[str]) -> str:
        """The entry key: namespace, curate's version, the parameters and the input digests."""
        from curate import __version__

        doc = json.dumps([FORMAT, __version__, namespace, params, digests], sort_keys=True, default=str)
        return hashlib.sha256(doc.encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / (key + SUFFIX)

    # ------------------------------------------------------------ entries

    def get(self, key: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """(header, arrays) of a valid entry, or None (missing or corrupt: a corrupt one is removed)."""
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        entry = _decode(data)
        if entry is None or entry[0].get("key") != key:
            path.unlink(missing_ok=True)
            self.misses += 1
            return None
        try:
            os.utime(path)  # recently used: evicted last
        except OSError:
            pass
        self.hits += 1
        return entry

    def put(self, key: str, header: dict[str, Any], arrays: dict[str, Any]) -> None:
        """Store an entry atomically, then evict old ones past the size bound. A read-only or full
        disk only loses the cache, never the run."""
        from curate.atomic import atomic_write_bytes

        try:
            atomic_write_bytes(self._path(key), _encode({**header, "key": key}, arrays))
            self.evict()
        except OSError:
            pass

    def evict(self) -> None:
        """Remove least recently used entries until the folder fits ``max_bytes``."""
        entries = []
        for path in self.root.glob(f"*/*{SUFFIX}"):
            try:
                st = path.stat()
            except OSError:
                continue
            entries.append((st.st_mtime, st.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size

    # ------------------------------------------------------------ dataclass artefacts

    def memo(self, namespace: str, cls: type[T], params: dict[str, Any], digests: list[str],
             compute: Callable[[], T]) -> T:
        """``compute()``'s result, from the cache when an entry for these inputs exists.

        ``cls`` is a dataclass whose fields are numpy arrays or JSON values; an entry whose fields
        do not fit it is treated as corrupt.
        """
        key = self.key(namespace, params, digests)
        entry = self.get(key)
        if entry is not None:
            value = _rebuild(cls, *entry)
            if value is not None:
                return value
            self._path(key).unlink(missing_ok=True)
        value = compute()
        header, arrays = _split(value)
        self.put(key, {"namespace": namespace, "fields": header}, arrays)
        return value


def _split(value: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    import numpy as np

    header, arrays = {}, {}
    for f in dataclasses.fields(value):
        item = getattr(value, f.name)
        if isinstance(item, np.ndarray):
            arrays[f.name] = item
        else:
            header[f.name] = item
    return header, arrays


def _rebuild(cls: type[T], header: dict[str, Any], arrays: dict[str, Any]) -> T | None:
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    fields = {**(header.get("fields") or {}), **arrays}
    if set(fields) != names:
        return None
    try:
        return cls(**fields)
    except TypeError:
        return None


def _encode(header: dict[str, Any], arrays: dict[str, Any]) -> bytes:
    import numpy as np

    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    head = json.dumps(header, sort_keys=True, allow_nan=False).encode("utf-8")
    payload = len(head).to_bytes(8, "big") + head + buffer.getvalue()
    return hashlib.sha256(payload).hexdigest().encode("ascii") + b"\n" + payload


def _decode(data: bytes) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The entry's (header, arrays), or None when its checksum or content is wrong."""
    import numpy as np

    checksum, sep, payload = data.partition(b"\n")
    if not sep or hashlib.sha256(payload).hexdigest().encode("ascii") != checksum:
        return None
    try:
        size = int.from_bytes(payload[:8], "big")
        header = json.loads(payload[8:8 + size])
        with np.load(io.BytesIO(payload[8 + size:]), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except Exception:  # noqa: BLE001 — any damage means "not cached"
        return None
    return (header, arrays) if isinstance(header, dict) else None


def open_cache(cache_dir: Path | None, enabled: bool = True) -> ResultCache | None:
    """The CLI's cache: ``--cache-dir`` or the default folder; None with ``--no-cache``."""
    if not enabled:
        return None
    return ResultCache(cache_dir if cache_dir is not None else default_dir())
