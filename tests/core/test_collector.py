import gc

import pytest

from core.collector import collector_paused


@pytest.fixture(autouse=True)
def _collector_enabled_after():
    yield
    gc.enable()


def test_the_collector_is_off_inside_and_on_again_after():
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_is_on_again_after_an_error():
    with pytest.raises(ValueError), collector_paused():
        raise ValueError
    assert gc.isenabled()


def test_a_nested_block_leaves_re_enabling_to_the_outer_one():
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled():
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_as_a_decorator_each_call_restores_the_collector():
    @collector_paused()
    def work():
        return gc.isenabled()

    assert work() is False
    assert work() is False
    assert gc.isenabled()
