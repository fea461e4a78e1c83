"""Scrapy settings modules (base: the real profile) and the per-site TOML files."""
