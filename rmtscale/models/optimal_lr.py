"""Placeholder: filled in by the scaling-exponents work (issue 6)."""
