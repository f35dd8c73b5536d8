from datetime import UTC, datetime, timedelta

import pytest

from crisis.clock import SystemClock, VirtualClock
from crisis.errors import CrisisError

START = datetime(2017, 5, 12, 14, 0, tzinfo=UTC)


def test_virtual_clock_moves_only_when_told():
    clock = VirtualClock(START)
    assert clock.now() == START
    clock.advance(timedelta(minutes=30))
    assert clock.now() == START + timedelta(minutes=30)


def test_virtual_clock_refuses_to_go_back():
    clock = VirtualClock(START)
    clock.set(START + timedelta(hours=1))
    with pytest.raises(CrisisError, match="cannot go back"):
        clock.set(START)
    assert clock.now() == START + timedelta(hours=1)


def test_virtual_clock_refuses_times_without_offset():
    with pytest.raises(CrisisError, match="timezone"):
        VirtualClock(datetime(2017, 5, 12, 14, 0))


def test_system_clock_is_aware():
    assert SystemClock().now().tzinfo is not None
