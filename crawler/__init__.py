"""depeches: crawl francophone news sites into a deduplicated SQL archive."""
