"""Declared parameters: coercion, bounds, arrays, CLI words, and the error messages."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rmtscale.errors import ParameterError
from rmtscale.params import Param, ParamSet, parse_words

Q = Param("q", gt=0)
D = Param("D", kind="int", default=200, ge=10)
X = Param("x", array_ok=True, ge=0)
FRAC = Param("frac", gt=0, le=1)
MODE = Param("mode", kind="str", default="a", choices=("a", "b"))


# ----------------------------------------------------------------------------- floats
@pytest.mark.parametrize(
    "word, value",
    [
        ("0.5", 0.5),
        ("1e-3", 1e-3),
        (" 2 ", 2.0),
        (3, 3.0),
        (np.float64(0.25), 0.25),
        (np.array(1.5), 1.5),
    ],
)
def test_float_accepts_numbers_and_words(word, value):
    out = Q.coerce(word)
    assert isinstance(out, float)
    assert out == value


@pytest.mark.parametrize("bad", ["-1", "0", -1.0, 0, "abc", "", "1+2j"])
def test_float_bound_and_garbage_rejected(bad):
    with pytest.raises(ParameterError) as ei:
        Q.coerce(bad)
    e = ei.value
    assert e.name == "q"
    assert "parameter 'q'" in str(e)
    assert "> 0" in str(e)


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf", float("nan"), math.inf, np.inf])
def test_nan_and_inf_rejected(bad):
    with pytest.raises(ParameterError, match="parameter 'q' must be a finite number"):
        Q.coerce(bad)


def test_bool_is_not_a_number():
    with pytest.raises(ParameterError, match="'q'"):
        Q.coerce(True)


@pytest.mark.parametrize("v, ok", [(1.0, True), (0.5, True), (1.0000001, False), (0.0, False)])
def test_two_sided_bounds(v, ok):
    if ok:
        assert FRAC.coerce(v) == v
    else:
        with pytest.raises(ParameterError, match=r"'frac' must be .*> 0 <= 1"):
            FRAC.coerce(v)


def test_requirement_text_lists_every_bound():
    p = Param("a", ge=-1, lt=2)
    assert p.requirement() == "must be a finite number >= -1 < 2"
    assert D.requirement() == "must be an integer >= 10"
    assert MODE.requirement() == "must be one of a, b"


# ----------------------------------------------------------------------------- ints
@pytest.mark.parametrize(
    "word, value", [("10", 10), ("10.0", 10), (400, 400), ("1e3", 1000), (np.int64(50), 50)]
)
def test_int_accepts_integral_values(word, value):
    out = D.coerce(word)
    assert type(out) is int
    assert out == value


@pytest.mark.parametrize("bad", ["10.5", "abc", "9", 9, "inf", "nan", "-20"])
def test_int_rejects_fractions_garbage_and_out_of_bounds(bad):
    with pytest.raises(ParameterError) as ei:
        D.coerce(bad)
    assert ei.value.name == "D"
    assert str(ei.value).startswith("parameter 'D' must be an integer >= 10")


# ----------------------------------------------------------------------------- strings
def test_string_choices():
    assert MODE.coerce("b") == "b"
    with pytest.raises(ParameterError, match="parameter 'mode' must be one of a, b"):
        MODE.coerce("c")


# ----------------------------------------------------------------------------- arrays
def test_arrays_only_when_array_ok():
    with pytest.raises(ParameterError, match=r"parameter 'q' .*\(a single value\)"):
        Q.coerce([1.0, 2.0])
    with pytest.raises(ParameterError, match="'q'"):
        Q.coerce(np.array([1.0, 2.0]))
    with pytest.raises(ParameterError, match="'q'"):
        Q.coerce("0.5,1")  # a comma list is a grid, not allowed for a scalar parameter
    with pytest.raises(ParameterError, match="'D'"):
        D.coerce("10,20")


def test_comma_list_is_a_grid():
    out = X.coerce("0.5,1,2")
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out, [0.5, 1.0, 2.0])
    np.testing.assert_array_equal(X.coerce([0, 3]), [0.0, 3.0])
    np.testing.assert_array_equal(X.coerce(np.arange(3.0)), [0.0, 1.0, 2.0])
    assert X.coerce("1") == 1.0  # a single word stays a scalar


@pytest.mark.parametrize("bad", ["1,-1", [1.0, float("nan")], [0.0, np.inf], "1,abc"])
def test_array_elements_are_checked(bad):
    with pytest.raises(ParameterError, match="parameter 'x'"):
        X.coerce(bad)


@pytest.mark.parametrize("bad", [[], np.zeros((2, 2)), ","])
def test_array_must_be_nonempty_1d(bad):
    with pytest.raises(ParameterError, match="parameter 'x'"):
        X.coerce(bad)


# ----------------------------------------------------------------------------- ParamSet
PS = ParamSet((Q, D, X))


def test_resolve_fills_defaults_and_coerces():
    out = PS.resolve({"q": "0.5", "D": "50"})
    assert out == {"q": 0.5, "D": 50, "x": None}
    assert PS.names() == ["q", "D", "x"]
    out = PS.resolve({"D": None})  # None means "use the default"
    assert out["D"] == 200


def test_resolve_unknown_key_names_it_and_lists_allowed():
    with pytest.raises(ParameterError) as ei:
        PS.resolve({"foo": 1})
    msg = str(ei.value)
    assert ei.value.name == "foo"
    assert "parameter 'foo'" in msg
    assert "allowed: q, D, x" in msg


def test_resolve_extra_ok_passes_through():
    out = PS.resolve({"q": 1, "tag": "t"}, extra_ok=("tag",))
    assert out["tag"] == "t"


def test_required_parameter():
    ps = ParamSet((Param("a", required=True),))
    with pytest.raises(ParameterError, match="parameter 'a' is required"):
        ps.resolve({})
    assert ps.resolve({"a": 2}) == {"a": 2.0}


def test_resolve_checks_values():
    with pytest.raises(ParameterError, match="parameter 'q' must be a finite number > 0"):
        PS.resolve({"q": -1})


def test_describe_is_jsonable_summary():
    d = D.describe()
    assert d == {"name": "D", "kind": "int", "default": 200, "requirement": "an integer >= 10"}
    assert Param("q", gt=0, help="ratio").describe()["help"] == "ratio"


# ----------------------------------------------------------------------------- CLI words
def test_parse_words():
    assert parse_words(["q=0.5", "D=50", "x=1,2", "s=a=b"]) == {
        "q": "0.5",
        "D": "50",
        "x": "1,2",
        "s": "a=b",
    }
    assert parse_words([]) == {}
    assert parse_words([" q =1"]) == {"q": "1"}


@pytest.mark.parametrize("word", ["q", "0.5", "=1"])
def test_parse_words_requires_key_value(word):
    with pytest.raises(ParameterError, match="must be written as key=value") as ei:
        parse_words([word])
    assert repr(word) in str(ei.value) or f"'{word}'" in str(ei.value)


def test_parse_words_duplicate_key():
    with pytest.raises(ParameterError, match="parameter 'q' is given twice"):
        parse_words(["q=1", "q=2"])


def test_error_is_one_line_and_a_value_error():
    try:
        D.coerce("abc")
    except ValueError as e:  # ParameterError is a ValueError for callers that catch that
        assert "\n" not in str(e)
    else:  # pragma: no cover
        pytest.fail("no error")


def test_comma_list_with_empty_item_is_an_error():
    from rmtscale.params import Param

    p = Param("x", array_ok=True)
    assert list(p.coerce("1,2,")) == [1.0, 2.0]
    with pytest.raises(ParameterError, match="'x'"):
        p.coerce("1,,2")


def test_describe_default_is_plain_json():
    import json

    d = Param("widths", default=(150.0, 200.0), array_ok=True).describe()
    assert d["default"] == [150.0, 200.0]
    assert json.loads(json.dumps(d)) == d
