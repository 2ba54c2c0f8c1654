"""A toy third-party rmtscale model package (tests only)."""
