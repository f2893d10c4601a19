"""The `options` filter that renders a register filter's choices (qms/templatetags/qms_options.py)."""

from django.template import Context, Template


def _render(choices: list[tuple[str, str, bool]]) -> str:
    return Template("{% load qms_options %}{{ choices|options }}").render(Context({"choices": choices}))


def test_each_choice_becomes_an_option_and_the_chosen_one_is_selected() -> None:
    assert _render([("1", "Ann Lee", False), ("2", "Bo Chan", True)]) == (
        '<option value="1">Ann Lee</option><option value="2" selected>Bo Chan</option>'
    )


def test_values_and_labels_are_shown_as_text() -> None:
    html = _render([('"><script>x</script>', "<b>O'Hara & Sons</b>", False)])
    assert "<script>" not in html and "<b>" not in html
    assert html == (
        '<option value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;">&lt;b&gt;O&#x27;Hara &amp; Sons&lt;/b&gt;</option>'
    )


def test_no_choices_render_nothing() -> None:
    assert _render([]) == ""
