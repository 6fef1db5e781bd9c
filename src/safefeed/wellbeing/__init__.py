"""Time well spent: screen time, daily limits, prompts, wind-down, quiet hours and Family Pairing.

Each module is one concept and mostly pure functions over the clock; `service.Wellbeing`
is the facade the API calls, and `safefeed.store.wellbeing` keeps all the state.
"""
