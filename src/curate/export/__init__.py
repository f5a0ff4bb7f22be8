"""Corrections out of curate: corrected files, review diffs, and upstream bundles.

``writer`` patches data files keeping untouched rows byte-identical, ``tabdiff`` renders review
diffs (daff / Frictionless tabular diff), ``hf`` and ``kaggle`` build the upstream bundles from a
``bundle.FixOutcome`` (with the tables both show), and ``fix`` ties them together for
``curate fix`` and ``curate apply``.
"""
