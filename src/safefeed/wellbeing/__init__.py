"""Time well spent: screen time, daily limits, prompts, wind-down, quiet hours and Family Pairing.

Each module is one concept and mostly pure functions over the clock. The acts
(`gate`, `own_limits`, `dashboard`, `inbox`, `pairing`) apply them to accounts;
`service.Wellbeing` is the facade the API calls, and `records` keeps all the state.
"""
