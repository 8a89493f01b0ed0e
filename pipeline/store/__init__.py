"""The output folder: catalog of series and versions, atomic files, the lock, the index page."""
