"""No rule may report an error or a warning on a healthy training program."""

import pytest

from conftest import CLEAN, problems


@pytest.mark.parametrize("name", [p.stem for p in CLEAN])
def test_clean_run_has_no_problems(clean_results, name):
    result = clean_results[name]
    assert result.exit_code == 0
    assert problems(result) == set(), [f.to_dict() for f in result.findings]
