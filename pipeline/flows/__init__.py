"""Prefect flows: wiring only. Nothing outside this package imports Prefect."""
