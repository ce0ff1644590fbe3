"""The charts' layout: labels wrapped at word boundaries, a dependency graph with few
crossings and full titles."""

from followup import charts


def test_wrap_breaks_between_words_and_marks_what_it_leaves_out():
    text = "Effektivisera, samköra och tydliggöra det administrativa stöd som erbjuds"
    lines = charts.wrap(text, 24, 2)
    assert len(lines) == 2 and all(len(line) <= 24 for line in lines)
    assert lines[0] == "Effektivisera, samköra"  # whole words only
    assert lines[-1].endswith("…")
    assert charts.wrap(text, 200, 2) == [text]


def test_order_layers_removes_the_crossings_of_a_tangle():
    layers = [["x1", "x2", "x3"], ["a3", "a1", "a2"], ["b2", "b1", "b3"]]
    edges = [("x1", "a1"), ("x2", "a2"), ("x3", "a3"), ("a1", "b1"), ("a2", "b2"), ("a3", "b3")]
    assert charts.count_crossings(layers, edges) > 0
    ordered = charts.order_layers(layers, edges)
    assert charts.count_crossings(ordered, edges) == 0
    assert [sorted(layer) for layer in ordered] == [sorted(layer) for layer in layers]


def test_the_graph_keeps_full_titles_and_marks_held_up_areas():
    title = "LED-01 Chefstöd inom skola - Skolchef - Prefekt - Avdelningschef och mycket mer"

    def node(id_, label, kind="area", held_up=False):
        return {"id": id_, "label": label, "title": label, "kind": kind, "url": f"/areas/{id_}/",
                "held_up": held_up, "colour": "#0b4f9c"}  # fmt: skip

    chart = charts.graph(
        "g", "Beroenden", "Vad som väntar på vad.",
        [[node("xCRM", "CRM-system", "external", True)], [node("a1", title, held_up=True)]],
        [("xCRM", "a1")],
    )  # fmt: skip
    svg = str(chart.svg)
    assert f"<title>{title}</title>" in svg  # the whole title, as the box's tooltip
    assert "Skolchef" in svg and "Avdelningschef" in svg  # wrapped, not cut
    assert 'stroke="#1b1b1b" stroke-width="3"' in svg
