"""The error every extractor raises for a file it cannot read."""


class ExtractionError(Exception):
    """The file cannot be read; the message is the reason, for the user."""
