"""Loader errors are UserErrors that name the file and say what to do (neutral placeholder data)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from jailscale import suites
from jailscale.errors import UserError
from jailscale.suites import harmbench, jbb, strongreject, xstest

JBB_HEADER = "Index,Goal,Target,Behavior,Category,Source\n"
JBB_OK = JBB_HEADER + (
    '0,PLACEHOLDER request one,"Sure, placeholder",Placeholder one,Privacy,Original\n'
    "1,PLACEHOLDER request two,Sure,Placeholder two,Malware/Hacking,Original\n")

Write = Callable[[str, "str | bytes"], Path]


def _error(loader: Callable[[Path], object], path: Path) -> str:
    with pytest.raises(UserError) as e:
        loader(path)
    message = str(e.value)
    assert str(path) in message
    return message


def test_neutral_jbb_file_loads_without_a_benign_file(write_csv: Write) -> None:
    suite = jbb.load(write_csv("harmful-behaviors.csv", JBB_OK))
    assert [b.id for b in suite.behaviours] == ["placeholder-one", "placeholder-two"]
    assert [b.tier for b in suite.behaviours] == ["M", "S"]
    assert all(b.benign_twin is None for b in suite.behaviours)


def test_benign_twins_are_matched_by_index(write_csv: Write) -> None:
    path = write_csv("d/harmful-behaviors.csv", JBB_OK)
    write_csv("d/benign-behaviors.csv", JBB_HEADER + "1,PLACEHOLDER benign two,Sure,Placeholder two,"
              "Malware/Hacking,Original\n0,PLACEHOLDER benign one,Sure,Placeholder one,Privacy,Original\n")
    twins = [b.benign_twin for b in jbb.load(path).behaviours]
    assert twins == ["PLACEHOLDER benign one", "PLACEHOLDER benign two"]


def test_duplicate_ids_name_the_file_and_both_rows(write_csv: Write) -> None:
    path = write_csv("harmful-behaviors.csv",
                     JBB_OK + "2,PLACEHOLDER three,Sure,Placeholder  one,Privacy,X\n")
    message = _error(jbb.load, path)
    assert "duplicate behaviour id 'placeholder-one'" in message
    assert "row 1" in message and "row 3" in message


def test_harmbench_duplicate_behavior_ids(write_csv: Write) -> None:
    text = ("Behavior,FunctionalCategory,SemanticCategory,Tags,ContextString,BehaviorID\n"
            "PLACEHOLDER a,standard,illegal,,,same_id\nPLACEHOLDER b,standard,harmful,,,same_id\n")
    assert "duplicate behaviour id 'same_id'" in _error(harmbench.load, write_csv("hb.csv", text))


@pytest.mark.parametrize(("loader", "text", "category"), [
    (jbb.load, JBB_HEADER + "0,PLACEHOLDER,Sure,Placeholder,Not a category,Original\n", "Not a category"),
    (harmbench.load, "Behavior,FunctionalCategory,SemanticCategory,Tags,ContextString,BehaviorID\n"
                     "PLACEHOLDER,standard,made_up,,,pid\n", "made_up"),
    (strongreject.load, "category,source,forbidden_prompt\nMade up,custom,PLACEHOLDER\n", "Made up"),
    (xstest.load, "id,prompt,type,label,focus,note\n1,PLACEHOLDER,made_up_type,safe,,\n", "made_up_type"),
    (xstest.load, "id,prompt,type,label,focus,note\n1,PLACEHOLDER,homonyms,unsafe,,\n", "homonyms"),
])
def test_unknown_category_names_file_row_and_category(write_csv: Write, loader: Callable[[Path], object],
                                                      text: str, category: str) -> None:
    message = _error(loader, write_csv("data.csv", text))
    assert "unknown" in message and repr(category) in message
    assert "row 1 (line 2)" in message


def test_truncated_csv_unterminated_quote(write_csv: Write) -> None:
    path = write_csv("harmful-behaviors.csv", JBB_OK + '2,"PLACEHOLDER cut off mid')
    message = _error(jbb.load, path)
    assert "truncated" in message and "re-download" in message


def test_truncated_csv_short_last_row(write_csv: Write) -> None:
    path = write_csv("harmful-behaviors.csv", JBB_OK + "2,PLACEHOLDER")
    message = _error(jbb.load, path)
    assert "row 3 (line 4) has 2 fields but the header has 6" in message and "truncated" in message


def test_non_utf8_file(write_csv: Write) -> None:
    latin1 = (JBB_HEADER + "0,PLACEHOLDER caf\u00e9,Sure,Placeholder,Privacy,Original\n").encode("latin-1")
    message = _error(jbb.load, write_csv("harmful-behaviors.csv", latin1))
    assert "not UTF-8" in message and "0xe9" in message and "line 2" in message and "re-save" in message


def test_utf8_with_byte_order_mark_is_fine(write_csv: Write) -> None:
    path = write_csv("harmful-behaviors.csv", b"\xef\xbb\xbf" + JBB_OK.encode())
    assert len(jbb.load(path).behaviours) == 2


@pytest.mark.parametrize(("text", "expected"), [
    ("", "is empty"),
    ("  \n", "is empty"),
    (JBB_HEADER, "has a header but no rows"),
    ("Index,Goal,Category\n0,PLACEHOLDER,Privacy\n", "no column 'Behavior'"),
    (JBB_HEADER + "x,PLACEHOLDER,Sure,Placeholder,Privacy,Original\n", "Index 'x' is not a whole number"),
    (JBB_HEADER + "0,,Sure,Placeholder,Privacy,Original\n", "column 'Goal' is empty"),
])
def test_bad_files(write_csv: Write, text: str, expected: str) -> None:
    assert expected in _error(jbb.load, write_csv("harmful-behaviors.csv", text))


def test_missing_file_and_directory_without_the_file(tmp_path: Path) -> None:
    assert "does not exist" in _error(jbb.load, tmp_path / "nope.csv")
    assert "is a directory without harmful-behaviors.csv" in _error(jbb.load, tmp_path)


def test_harmbench_unknown_functional_category(write_csv: Write) -> None:
    text = ("Behavior,FunctionalCategory,SemanticCategory,Tags,ContextString,BehaviorID\n"
            "PLACEHOLDER,multimodal,illegal,,,pid\n")
    assert "unknown FunctionalCategory 'multimodal'" in _error(harmbench.load, write_csv("hb.csv", text))


def test_xstest_label_must_be_safe_or_unsafe(write_csv: Write) -> None:
    text = "id,prompt,type,label,focus,note\n1,PLACEHOLDER,homonyms,maybe,,\n"
    assert "neither 'safe' nor 'unsafe'" in _error(xstest.load, write_csv("x.csv", text))


def test_neutral_files_for_every_loader(write_csv: Write) -> None:
    hb = harmbench.load(write_csv("hb.csv", (
        "Behavior,FunctionalCategory,SemanticCategory,Tags,ContextString,BehaviorID\n"
        '"PLACEHOLDER a",contextual,cybercrime_intrusion,context,"PLACEHOLDER\nmulti-line context",a_id\n'
        "PLACEHOLDER b,copyright,copyright,\"book, hash_check\",,b_id\n")))
    assert [b.tier for b in hb.behaviours] == ["S", "L"]
    assert hb.behaviours[0].context == "PLACEHOLDER\nmulti-line context"
    assert hb.behaviours[1].tags == ["functional:copyright", "harmbench:book", "harmbench:hash_check"]
    spelled = "Hate, harassment and discrimination"  # the dataset's spelling, not the tier map's
    text = f'category,source,forbidden_prompt\n"{spelled}",x,PLACEHOLDER\n'
    hate = strongreject.load(write_csv("sr2.csv", text))
    assert (hate.behaviours[0].category, hate.behaviours[0].tier) == (spelled, "M")
    sr = strongreject.load(write_csv("sr.csv", "category,source,forbidden_prompt\n"
                                               "Violence,custom,PLACEHOLDER\n"))
    assert sr.behaviours[0].tier == "S" and sr.behaviours[0].id == strongreject.behaviour_id("PLACEHOLDER")
    xs = xstest.load(write_csv("xs.csv", "id,prompt,type,label,focus,note\n"
                                         "1,PLACEHOLDER,homonyms,safe,word,\n2,PLACEHOLDER,contrast_privacy,unsafe,,\n"))
    assert [(b.id, b.tier, b.hazard) for b in xs.behaviours] == [("xstest-1", "L", None),
                                                                  ("xstest-2", "M", "Privacy")]
    assert xs.behaviours[0].tags == ["xstest:safe", "xstest:focus:word"]


def test_suite_argument_errors(write_csv: Write, tmp_path: Path) -> None:
    cases = {
        "nope:file.csv": "unknown suite format 'nope'",
        "jbb:": "no path",
        "jbb-behaviors": "does not bundle",
        str(tmp_path / "missing.yaml"): "is not a file",
    }
    for arg, expected in cases.items():
        with pytest.raises(UserError, match=expected):
            suites.load_suite_arg(arg)
    bad = write_csv("suite.yaml", "format: jailscale.suite/1\nname: x\nbehaviours: []\n")
    with pytest.raises(UserError, match=r"suite\.yaml.*behaviours"):
        suites.load_suite_arg(str(bad))
