"""SafeFeed: a For You feed engine that is safe by design for young people, and an audit lab."""

__version__ = "0.1.0"
