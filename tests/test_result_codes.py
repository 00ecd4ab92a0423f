"""Result codes: the PRODUCT.md table and remapped keys."""

from __future__ import annotations

import pytest

from collectdesk.domain.errors import InputError
from collectdesk.domain.result_codes import DEFAULT_RESULT_CODES, find_result_code, result_codes


def test_default_table() -> None:
    table = [(rc.key, rc.code, rc.right_party) for rc in DEFAULT_RESULT_CODES]
    assert table == [
        ("1", "PTP", True),
        ("2", "PAID", True),
        ("3", "DISPUTE", True),
        ("4", "NOPROMISE", True),
        ("5", "CALLBACK", True),
        ("6", "MESSAGE", False),
        ("7", "NOANSWER", False),
        ("8", "GATEKEEPER", False),
        ("9", "WRONGNUMBER", False),
    ]
    assert all(rc.label and rc.requires for rc in DEFAULT_RESULT_CODES)


def test_keys_can_be_remapped() -> None:
    codes = result_codes({"ptp": "p", "NOANSWER": "n"})
    assert find_result_code("p", codes).code == "PTP"
    assert find_result_code("n", codes).code == "NOANSWER"
    assert find_result_code("ptp", codes).code == "PTP"
    with pytest.raises(InputError, match="not a result code"):
        find_result_code("1", codes)


def test_bad_remaps_are_refused() -> None:
    with pytest.raises(InputError, match="unknown result code"):
        result_codes({"MAYBE": "m"})
    with pytest.raises(InputError, match="key '2' is used by both"):
        result_codes({"PTP": "2"})


def test_each_code_says_what_its_close_needs_and_waits_a_configured_time() -> None:
    from collectdesk.domain.result_codes import Effect, Need
    from collectdesk.settings import CadenceRules

    needs = {rc.code: rc.needs for rc in DEFAULT_RESULT_CODES}
    assert needs["PTP"] == (Need.PROMISE,) and needs["CALLBACK"] == (Need.CALLBACK,)
    assert needs["MESSAGE"] == needs["NOANSWER"] == needs["WRONGNUMBER"] == ()
    effects = {rc.code: rc.effects for rc in DEFAULT_RESULT_CODES if rc.effects}
    assert effects == {"DISPUTE": (Effect.HOLD_DISPUTED,), "WRONGNUMBER": (Effect.FLAG_NUMBER,)}
    rules = CadenceRules()
    assert all(isinstance(getattr(rules, rc.wait), int) for rc in DEFAULT_RESULT_CODES)
