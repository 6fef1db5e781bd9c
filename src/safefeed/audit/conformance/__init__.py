"""The regulators' tests, run against any feed: a conformance suite and a release gate.

`requirements` reads the scenario (what is tested, where the rule comes from,
the threshold and why); `run` drives a target through each check; `results`
turns measurements into verdicts; `outputs` writes conformance.json, JUnit XML
and the HTML table. See docs/conformance.md for the HTTP contract.
"""
