"""Confinement and resource limits for untrusted input: paths stay in the dataset, inputs stay small.

Every path that comes from data or a dataset's own files (card ``configs``/``data_files``/
``data_dir``, Kaggle resources, suite ``files``, symbolic links found while listing) is checked
by :func:`inside` against the dataset root: once resolved it must stay inside, else a located
error. A symbolic link that leaves the root is refused unless the user passed
``--follow-symlinks`` (:func:`follow_symlinks`). Patterns from a card are checked by
:func:`local_pattern` before any library sees them, so no URL (``hf://``, ``https://``) or
fsspec chain (``a::b``) is ever opened on a stranger's say-so.

Compressed files are opened through :func:`open_decompressed`, which stops (a located error)
once the expanded bytes exceed ``ratio`` × the compressed size or an absolute cap
(``CURATE_MAX_DECOMPRESSED`` bytes), so a small "zip bomb" cannot exhaust memory.
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import os
import re
from pathlib import Path, PurePosixPath
from typing import IO, Iterator

from curate.errors import CurateError

_FOLLOW = contextvars.ContextVar("curate_follow_symlinks", default=False)

MAX_RATIO = 100  # expanded / compressed: tabular text compresses 3-30x, a bomb up to 1000x
MAX_DECOMPRESSED = 8 * 1024**3  # absolute cap on one file's expanded size (bytes)
_SLACK = 16 * 1024 * 1024  # tiny files may expand further than the ratio (headers, empty rows)
_URLISH = re.compile(r"::|^[A-Za-z][A-Za-z0-9+.-]*://")
COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz", ".zst", ".zip")


@contextlib.contextmanager
def follow_symlinks(allowed: bool = True) -> Iterator[None]:
    """Within this block, symbolic links may point outside the dataset root (``--follow-symlinks``)."""
    token = _FOLLOW.set(allowed)
    try:
        yield
    finally:
        _FOLLOW.reset(token)


def inside(root: str | Path, path: str | Path, *, what: str = "path", file: str | Path | None = None) -> Path:
    """``path`` (relative to ``root`` unless absolute) resolved, or a CurateError if it leaves ``root``.

    The path as written must not climb out (``..``, an absolute path elsewhere); once symbolic
    links are resolved it must still be inside, unless links may be followed.
    """
    base = Path(os.path.realpath(root))
    written = Path(os.path.normpath(os.path.join(os.path.abspath(root), os.fspath(path))))
    if not _within(written, Path(os.path.abspath(root))) and not _within(written, base):
        raise CurateError(f"{what} '{path}' is outside the dataset folder", file=file)
    real = Path(os.path.realpath(written))
    if not _within(real, base) and not _FOLLOW.get():
        raise CurateError(
            f"{what} '{path}' is a symbolic link to '{real}' outside the dataset folder "
            "(pass --follow-symlinks to read it)",
            file=file,
        )
    return real


def _within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def local_pattern(pattern: str, *, what: str, file: str | Path | None = None) -> str:
    """A card/suite file pattern that is a plain relative path: no URL, no fsspec chain, no escape."""
    text = str(pattern)
    if _URLISH.search(text):
        raise CurateError(f"{what} '{text}' is a URL or a chained path; only files inside the dataset are read",
                          file=file)
    if text.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", text) or ".." in PurePosixPath(
            text.replace("\\", "/")).parts:
        raise CurateError(f"{what} '{text}' is outside the dataset folder", file=file)
    return text


def max_decompressed() -> int:
    """The absolute cap on a decompressed file, from ``CURATE_MAX_DECOMPRESSED`` (bytes) if set."""
    return _env_number("CURATE_MAX_DECOMPRESSED", MAX_DECOMPRESSED)


def _env_number(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return int(float(raw))
    except ValueError as exc:
        raise CurateError(f"{name} must be a number, got {raw!r}") from exc


class _Bounded(io.RawIOBase):
    """A read-only stream that fails once more than ``limit`` bytes have come out of ``inner``."""

    def __init__(self, inner: IO[bytes], limit: int, path: Path) -> None:
        self._inner, self._limit, self._path, self._count = inner, limit, path, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        try:
            data = self._inner.read(len(buffer))
        except (EOFError, OSError, ValueError) as exc:
            raise decompress_error(self._path, exc) from exc
        except Exception as exc:  # lzma.LZMAError, zlib.error, zstandard.ZstdError
            raise decompress_error(self._path, exc) from exc
        self._count += len(data)
        if self._count > self._limit:
            raise CurateError(
                f"decompresses to more than {self._limit:,} bytes (the limit is CURATE_MAX_RATIO={MAX_RATIO} "
                "times its size, at most CURATE_MAX_DECOMPRESSED); refusing to expand it further",
                file=self._path,
            )
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()


def decompress_error(path: Path, exc: BaseException) -> CurateError:
    """A located one-line error for a truncated or corrupt compressed file."""
    if isinstance(exc, CurateError):
        return exc
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return CurateError(f"cannot decompress ({detail}); the file is truncated or not {path.suffix} data", file=path)


def is_compressed(path: Path) -> bool:
    return path.suffix.lower() in COMPRESSED_SUFFIXES


def open_decompressed(path: Path) -> IO[bytes]:
    """A buffered binary stream of a compressed file's content, bounded in expanded size."""
    suffix = path.suffix.lower()
    size = path.stat().st_size
    limit = min(max_decompressed(), size * _env_number("CURATE_MAX_RATIO", MAX_RATIO) + _SLACK)
    try:
        inner = _open_inner(path, suffix)
    except CurateError:
        raise
    except Exception as exc:  # zipfile.BadZipFile, OSError
        raise decompress_error(path, exc) from exc
    return io.BufferedReader(_Bounded(inner, limit, path), buffer_size=1024 * 1024)


def _open_inner(path: Path, suffix: str) -> IO[bytes]:
    if suffix == ".gz":
        import gzip

        return gzip.open(path, "rb")
    if suffix == ".bz2":
        import bz2

        return bz2.open(path, "rb")
    if suffix == ".xz":
        import lzma

        return lzma.open(path, "rb")
    if suffix == ".zst":
        try:
            import zstandard
        except ImportError as exc:
            raise CurateError("reading .zst files needs the 'zstandard' package (pip install zstandard)",
                              file=path) from exc
        return zstandard.open(path, "rb")
    import zipfile

    archive = zipfile.ZipFile(path)
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) != 1:
        raise CurateError(f"a .zip data file must hold exactly one file (it holds {len(members)})", file=path)
    return archive.open(members[0])


# --------------------------------------------------------------------------- YAML limits

MAX_YAML_BYTES = 1024 * 1024  # a suite or card header is a few KB; 1 MiB is generous
MAX_YAML_DEPTH = 64
MAX_YAML_ALIASES = 1000
MAX_YAML_NODES = 200_000  # values after alias expansion ("billion laughs" stays far below memory)


def check_yaml(text: str, file: str | Path | None) -> None:
    """Refuse YAML that is too big, too deep or expands too far, before anything recursive sees it.

    PyYAML's event parser is iterative, so this scan is safe on hostile input; the composer and
    the constructor are recursive (a 5,000-deep document raises RecursionError) and aliases
    multiply the work of anything that walks the result ("billion laughs"). The scan counts each
    value with aliases expanded (an anchor's size is known when its collection ends).
    """
    import yaml

    if len(text) > MAX_YAML_BYTES:
        raise CurateError(f"YAML document is larger than {MAX_YAML_BYTES:,} characters", file=file)
    sizes: dict[str, int] = {}
    stack: list[tuple[str | None, int]] = []  # (anchor, values so far) of each open collection
    total = aliases = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                stack.append((event.anchor, 1))
                if len(stack) > MAX_YAML_DEPTH:
                    raise _yaml_error(f"YAML nested deeper than {MAX_YAML_DEPTH} levels", event, file)
                continue
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                anchor, size = stack.pop()
                if anchor:
                    sizes[anchor] = size
            elif isinstance(event, yaml.ScalarEvent):
                size = 1
                if event.anchor:
                    sizes[event.anchor] = 1
            elif isinstance(event, yaml.AliasEvent):
                aliases += 1
                size = sizes.get(event.anchor, 1)
                if aliases > MAX_YAML_ALIASES:
                    raise _yaml_error(f"YAML uses more than {MAX_YAML_ALIASES} aliases", event, file)
            else:
                continue
            if stack:
                stack[-1] = (stack[-1][0], stack[-1][1] + size)
            else:
                total += size
            if total + sum(s for _, s in stack) > MAX_YAML_NODES:
                raise _yaml_error(f"YAML expands to more than {MAX_YAML_NODES:,} values (an alias bomb?)", event, file)
    except yaml.MarkedYAMLError:
        return  # a syntax error: the real parser reports it with its position


def _yaml_error(message: str, event: object, file: str | Path | None) -> CurateError:
    mark = getattr(event, "start_mark", None)
    return CurateError(message, file=file, line=mark.line + 1 if mark else None,
                       column=mark.column + 1 if mark else None)


# --------------------------------------------------------------------------- outputs


def check_output(output: str | Path, datasets: list[str | Path], *, force: bool = False, what: str = "--output") -> None:
    """Refuse to write a report over a dataset's data: inside a dataset folder (or onto a dataset
    file given directly) unless ``force``; a file-of-the-dataset is never a place for a report."""
    target = Path(os.path.realpath(output))
    for dataset in datasets:
        root = Path(os.path.realpath(dataset))
        if root.is_file():
            if target == root:
                raise CurateError(f"{what} is the dataset file itself; choose another path", file=output)
            continue
        if _within(target, root) and not force:
            raise CurateError(
                f"{what} is inside the dataset folder {dataset}; write it elsewhere or pass --force", file=output
            )
