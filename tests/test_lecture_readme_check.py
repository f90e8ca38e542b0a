"""The check that a lecture's printout and its README section name the same things (tests/conftest.py)."""
import pytest


PRINTOUT = """ring of 8: modes 8/8
| data | variant | high quality % |
|---|---|---|
| ring | pacgan | 38.5 +- 7.4 |
| ring | seed 2 | 12 |
done
"""


def test_printed_structure_takes_table_columns_text_cells_and_pattern_groups(lecture_readme):
    labels = lecture_readme.printed_structure(PRINTOUT, [r"^(ring of \d+):"])
    # the cells holding digits ('38.5 +- 7.4', 'seed 2') are numbers, not labels
    assert labels == ["data", "variant", "high quality %", "ring", "pacgan", "ring of 8"]


def test_a_pattern_that_no_longer_matches_the_printout_fails(lecture_readme):
    with pytest.raises(AssertionError, match="no longer matches"):
        lecture_readme.printed_structure(PRINTOUT, [r"(grid of \d+)"])


def test_a_printed_label_missing_from_the_readme_section_fails(lecture_readme):
    # the 05 section states its ring table; a 'wasserstein' row is in none of it
    lecture_readme.assert_matches("| variant |\n|---|\n| gan |\n", "05_mode_collapse.py")
    with pytest.raises(AssertionError, match="wasserstein"):
        lecture_readme.assert_matches("| variant |\n|---|\n| wasserstein |\n", "05_mode_collapse.py")


def test_every_lecture_applies_the_thread_policy(lecture_readme):
    # Without it BLAS's default threads spin on a busy machine: lecture 08's GAN
    # section took 376 s of CPU for 10 small runs before it called it.
    import pathlib
    scripts = sorted(pathlib.Path(lecture_readme.lectures).glob("0*.py"))
    assert len(scripts) >= 8
    missing = [p.name for p in scripts if "\napply_thread_policy()" not in p.read_text()]
    assert not missing, f"lecture scripts without apply_thread_policy(): {missing}"
