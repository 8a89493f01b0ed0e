"""Errors the CLI turns into one clear line on stderr and a non-zero exit code."""


class AgreementError(Exception):
    """Base class: anything wrong with an input document (the CLI exits with 3)."""


class UnreadableDocument(AgreementError):
    """The file cannot be opened or parsed (corrupt, truncated, wrong type, not found)."""


class EncryptedDocument(AgreementError):
    """The PDF is password-protected."""


class EmptyDocument(AgreementError):
    """The file has no text: 0 bytes, blank, or a PDF without a text layer (scanned images)."""


class NotAnAgreement(AgreementError):
    """The document has text but nothing that makes it a performance agreement."""


class DocumentTooLarge(AgreementError):
    """The document exceeds the configured page or size limit."""


class DocumentTooSlow(AgreementError):
    """Reading the document took longer than the configured time limit."""
