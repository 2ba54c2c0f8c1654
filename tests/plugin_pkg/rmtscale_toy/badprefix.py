"""A model module that registers a name outside its prefix (``badprefix``): load() refuses it."""

from rmtscale.registry import solver


@solver("toy.other", "misnamed")
def solve_other() -> dict[str, float]:
    return {"y": 1.0}
