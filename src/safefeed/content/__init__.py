"""Catalog import and generation, text embeddings, and the theme/harm classifier."""
