"""reports.pdf: the garbage collector runs less often while WeasyPrint renders, and the thresholds
come back afterwards, also when renders overlap (threads in the embedded mode)."""

import gc

import pytest

from reports.pdf import fewer_gc_passes


@pytest.fixture
def thresholds():
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*saved)


def test_thresholds_are_raised_while_rendering_and_restored_after(thresholds):
    with fewer_gc_passes():
        assert gc.get_threshold() == (10_000, 10, 10)
        with fewer_gc_passes():  # an overlapping render
            assert gc.get_threshold() == (10_000, 10, 10)
        assert gc.get_threshold() == (10_000, 10, 10)  # the first is still rendering
    assert gc.get_threshold() == (700, 10, 10)


def test_thresholds_are_restored_when_rendering_fails(thresholds):
    with pytest.raises(ValueError), fewer_gc_passes():
        raise ValueError("template error")
    assert gc.get_threshold() == (700, 10, 10)
