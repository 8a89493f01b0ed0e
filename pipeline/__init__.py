"""Turn Finnish performance agreements (tulossopimus) into validated JSON.

Importing this package is cheap: readers, spaCy and Voikko load only when used.
"""

__version__ = "0.2.0"
