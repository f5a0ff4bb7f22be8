"""What a suite entry is once validated: :class:`CheckSpec`, and where each YAML value was written.

These are the words the suite loader (``curate.suite``) and the check contract
(``curate.checks.base``) share. They live below both, so the contract need not import the loader
(which looks families up in the registry, which loads the families, which import the contract).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from curate.errors import CurateError

Path_ = tuple[str | int, ...]  # a path into the YAML document, e.g. ("checks", 2, "drift", "column")


@dataclass
class SourceMap:
    """Where each value of a YAML document was written: path → (line, column), 1-based."""

    file: str
    marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def error(self, path: Path_, message: str) -> CurateError:
        """A CurateError located at ``path``, or at its nearest written ancestor."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.marks:
                line, col = self.marks[path[:end]]
                return CurateError(message, file=self.file, line=line, column=col)
        return CurateError(message, file=self.file)


@dataclass
class CheckSpec:
    """One validated ``checks`` entry: its family, parameters and where it was written."""

    family: str
    params: Any  # an instance of the family's Params model
    index: int  # position in the suite's check list
    source: SourceMap
    path: Path_  # path of this entry's parameters in the YAML document

    def error(self, param_path: Path_, message: str) -> CurateError:
        return self.source.error(self.path + param_path, message)
