"""Item pipelines, in order: extract, normalise, language, dedup, store."""
