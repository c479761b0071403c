"""The points game's rules: HQ's settings checked field by field; the award is what could be caught in
the time a play lasted, at most the cap, whatever the page says."""

from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.points_game import MAX_CATCHES_PER_SECOND, RiceGame, award, parse_rice_game


def test_settings_are_checked_and_problems_name_the_field():
    assert parse_rice_game({}) == RiceGame()
    got = parse_rice_game({"plays_per_day": 5, "seconds": 20, "points_per_catch": 3, "max_points_per_play": 60,
                           "active": False})
    assert got == RiceGame(5, 20, 3, 60, False)
    bad = parse_rice_game({"seconds": 9, "plays_per_day": True, "colour": "red", "active": "yes"})
    assert {p.params["field"] for p in bad} == {"seconds", "plays_per_day", "colour", "active"}
    assert parse_rice_game([1, 2])[0].code == "game.doc"


def test_the_award_is_capped_by_time_and_by_the_play_s_most():
    game = RiceGame(seconds=30, points_per_catch=2, max_points_per_play=40)
    assert award(game, 10, 30) == (10, 20)
    assert award(game, 999, 30) == (20, 40)  # the cap
    assert award(game, 999, 3) == (6, 12)  # 2 a second for the 3 seconds it lasted
    assert award(game, 999, 3000) == (20, 40)  # a late result is no longer play
    assert award(game, 5, -1) == (0, 0)


@given(st.integers(0, 10**9), st.floats(-10, 10**4, allow_nan=False), st.integers(1, 100), st.integers(1, 10_000),
       st.integers(10, 120))
def test_whatever_the_page_says_the_award_stays_in_bounds(catches, played, per_catch, most, seconds):
    game = RiceGame(seconds=seconds, points_per_catch=per_catch, max_points_per_play=most)
    counted, won = award(game, catches, played)
    assert 0 <= counted <= catches and 0 <= won <= most
    assert counted <= max(0, min(played, seconds)) * MAX_CATCHES_PER_SECOND
    assert won == counted * per_catch
