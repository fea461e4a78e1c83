"""Spiders only discover and fetch; every field is parsed later, in the pipelines."""
