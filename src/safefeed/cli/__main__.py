"""`python -m safefeed.cli`: the same as the `safefeed` command."""

from safefeed.cli import main

main()
