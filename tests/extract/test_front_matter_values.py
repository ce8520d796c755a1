"""Front matter values are what YAML makes of them, however the block is read."""

from __future__ import annotations

import pytest
import yaml

from followthrough.adapters.sources.frontmatter import split_front_matter

# Blocks of `key: value` lines whose values YAML turns into other types than strings, or
# reads in ways a plain split would not.
BLOCKS = [
    "title: Login outage\ndate: 2024-03-01\nteam: identity\n",
    "severity: SEV-2\nauthors: [alice, bob]\nstatus: published\n",
    "a: yes\nb: No\nc: on\nd: OFF\ne: true\nf: null\ng: y\nh: n\n",
    "a: 1\nb: 012\nc: 0o17\nd: 0x1f\ne: 1_000\nf: 1:30\ng: 190:20:30\nh: 0b101\n",
    "a: 1.5\nb: 1e3\nc: 1.0e3\nd: 6.8523015e+5\ne: 685_230.15\nf: nan\n",
    "a: 2023-1-8\nb: 2023-01-18 10:00:00\nc: 2023-01-18T10:00:00Z\n",
    "a: [yes, 2023-01-18, 1.5, x  y]\nb: [ ]\nc: []\nd: [a,, b]\ne: [a, ]\n",
    'a: O\'Brien\nb: say "hi"\nc: a:b\nd: a#b\ne: (x)\nf: a|b > c & d\n',
    "yes: x\n",
    "null: x\n",
    "1: x\n",
    "a: x\na: y\n",
    "a:  spaced\n\nb: after a blank line\n",
    "a: a: b\n",
    "a: 'quoted'\nb: \"double\"\n",
    "a: x # comment\n",
    "a: [x] # comment\n",
    "a: trailing space \n",
    "a:\n- x\n- y\n",
    "k" * 1100 + ": long key\n",
    "a: é\n",
    "a: x\r\nb: y\r\n",
]


@pytest.mark.parametrize("block", BLOCKS)
def test_front_matter_values_are_those_yaml_gives(block: str) -> None:
    front = split_front_matter(f"---\n{block}---\n# Title\n")
    try:
        expected = yaml.load(block, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        assert front.data == {}
        assert [p.code for p in front.problems] == ["bad-front-matter"]
        return
    assert front.problems == ()
    assert repr(front.data) == repr({str(k): v for k, v in expected.items()})
