"""The For You feed engine: item vectors, account state, candidate sources, scoring, re-ranking, pages."""
