"""The compute admin API, Nova v2.1-shaped."""
