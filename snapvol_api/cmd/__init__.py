"""Console scripts of the API processes."""
