"""Backup drivers: Cinder's chunked format (``chunked``) on an object
store (``posix``: a directory tree)."""
