"""Well-being state in the shared database, one small repository per table family.

`store.WellbeingStore` is the one entry point; it composes the repositories:
`activity` (the activity clock and screen time), `unlocks` (passcodes, the
lock-out after wrong guesses, grants of extra time), `marks` (when a prompt was
shown, dismissed or confirmed), `pairing` (Family Pairing codes, links, guardian
controls and requests for more time), `inbox` (notifications), and `privacy`
(everything held about an account, exported or deleted).

Nothing here lives in process memory, so any number of API instances over one
PostgreSQL agree. Updates that race (two pages at once, two guesses at a
passcode, two guardians deciding one request) are compare-and-set or atomic
increments; each call is one transaction.
"""
