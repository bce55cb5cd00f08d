"""The demo household: generated, deterministic, fully synthetic."""
