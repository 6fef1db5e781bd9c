"""Loaders for real data sets in ../shared/data: read in place, never copied into the repository."""
