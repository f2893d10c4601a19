import pytest
from django.core.exceptions import ImproperlyConfigured

from qms.env import Env


def test_booleans_accept_the_usual_spellings_and_refuse_others():
    env = Env({"A": "yes", "B": "0", "C": "maybe"})
    assert env.boolean("A", default=False) is True
    assert env.boolean("B", default=True) is False
    assert env.boolean("MISSING", default=True) is True
    with pytest.raises(ImproperlyConfigured, match="C='maybe' is not a boolean"):
        env.boolean("C", default=False)


def test_integers_name_the_variable_when_wrong():
    env = Env({"PORT": "eighty", "LOW": "0"})
    with pytest.raises(ImproperlyConfigured, match="PORT='eighty' is not a whole number"):
        env.integer("PORT", default=1)
    with pytest.raises(ImproperlyConfigured, match="LOW=0 is below the minimum of 1"):
        env.integer("LOW", default=5, minimum=1)


def test_lists_are_comma_separated_without_blanks():
    assert Env({"HOSTS": "a.example, b.example,,"}).items("HOSTS", default=[]) == ["a.example", "b.example"]


def test_urls_must_use_an_allowed_scheme():
    env = Env({"BROKER": "http://redis:6379"})
    with pytest.raises(ImproperlyConfigured, match="BROKER must be a URL starting with one of redis://"):
        env.url("BROKER", schemes=("redis",))
    assert Env({}).url("BROKER", schemes=("redis",)) is None


def test_a_required_text_without_default_fails_loudly():
    with pytest.raises(ImproperlyConfigured, match="Set the environment variable NAME"):
        Env({}).text("NAME")
