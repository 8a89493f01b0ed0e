"""Compare two versions of an agreement: ``diff_agreements(old, new) -> AgreementDiff``.

Plain functions over the output contract's models; the reports (Markdown, HTML) render the
result. Nothing here reads documents or starts Prefect.
"""

from pipeline.diff.compare import SeriesMismatch, diff_agreements

__all__ = ["SeriesMismatch", "diff_agreements"]
