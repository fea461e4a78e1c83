"""Discover: spiders decide what to fetch and yield one FetchedPage per article; no field is
parsed here (that is crawler/process)."""
