"""Text columns as pyarrow string arrays, for the vectorised (RE2) matching of ``pii`` and ``text_quality``."""

from __future__ import annotations

import pandas as pd


def text_array(values: pd.Series):
    """A column as a pyarrow string array (non-strings as null), for vectorised matching."""
    import pyarrow as pa

    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        # already Arrow text (pandas' "str"): its own buffers, no conversion through Python objects
        return values.array.__arrow_array__().combine_chunks().cast(pa.string())
    if not pd.api.types.is_string_dtype(values) or values.dtype == object:
        values = values.where(values.map(type) == str)
    return pa.array(values.astype(object).where(values.notna(), None), type=pa.string())
