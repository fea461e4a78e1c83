"""The two Scrapy item pipelines, thin adapters: process (the chain, in the pool) and store."""
