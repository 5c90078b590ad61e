"""bridge32.com where COM is not (Linux): Dispatch says so, and the package's conversions
between Python and COM values, which Windows would use, hold both ways."""

import array
import datetime
import decimal

import pytest

import bridge32
from bridge32 import com


def test_dispatch_elsewhere_than_windows_is_unsupported():
    with pytest.raises(bridge32.Unsupported, match="COM"):
        com.Dispatch("Scripting.Dictionary")


@pytest.mark.parametrize("value", [None, True, False, 0, -7, 2 ** 40, 2.5, "", "h\u00e9llo",
                                   datetime.datetime(2026, 12, 7, 13, 30),
                                   decimal.Decimal("12.3456"), [1, "two", 3.0, [4, None]]])
def test_python_values_cross_to_com_and_back(value):
    given = com._Given()
    target = com.ComValue()
    given.set(target, value)
    back = com._python(target)
    if isinstance(value, datetime.datetime):
        assert abs(back - value) < datetime.timedelta(milliseconds=1)
    else:
        assert back == value and type(back) is type(value)


def test_doubles_cross_as_one_safearray_block():
    given = com._Given()
    target = com.ComValue()
    values = array.array("d", [0.5 * i for i in range(1000)])
    given.set(target, values)
    assert target.kind == com.ARRAY and target.vartype == 0x2000 | 5
    assert not target.as_.array.elements and target.as_.array.count == 1000
    assert com._python(target) == values


def test_a_two_dimensional_safearray_is_nested_lists_first_dimension_outer():
    # COM's order: the first dimension varies fastest.
    assert com._shape(list(range(6)), [2, 3]) == [[0, 2, 4], [1, 3, 5]]
    assert com._shape(list(range(24)), [2, 3, 4])[1][2][3] == 1 + 2 * 2 + 3 * 6
