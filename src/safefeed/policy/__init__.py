"""The safety policy: one declarative TOML file decides everything that differs by age."""
