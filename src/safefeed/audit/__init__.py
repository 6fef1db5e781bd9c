"""The audit lab: sock-puppet personas scroll a feed on a simulated clock, and metrics read the log."""
