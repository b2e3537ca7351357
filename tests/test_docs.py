"""docs/: the chapter pages are built from docs/src by docs/build.py and must stay true.

A page fails here when it shows code that is no longer the file's, when its source page was
edited without rebuilding, when a recipe has no page, when an image is missing, or when a
deterministic command (chapters 1, 2, 4) no longer prints what the page shows.
"""
import importlib.util
import os
import re
import tempfile

import pytest

from ember import recipes

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(ROOT, "docs")
DETERMINISTIC = ("ch1", "ch2", "ch4")     # their outputs carry no timings or thread-dependent sums


def _load_build():
    spec = importlib.util.spec_from_file_location("ember_docs_build",
                                                  os.path.join(DOCS, "build.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


build = _load_build()
PAGES = build.pages()


def _page(page):
    with open(os.path.join(DOCS, page + ".md")) as f:
        return f.read()


def test_one_page_per_chapter_with_code():
    assert PAGES == ["ch1", "ch2", "ch3", "ch4", "ch5", "ch6", "ch7"]
    index = open(os.path.join(DOCS, "README.md")).read()
    for page in PAGES:
        assert f"({page}.md)" in index, f"docs/README.md does not link {page}.md"


@pytest.mark.parametrize("page", PAGES)
def test_page_is_built_from_its_source(page):
    """Replaying the page's own command outputs through its source gives the page exactly: the
    source was not edited after the build, and every file shown is the current file."""
    text = _page(page)
    outputs = iter(build.shown_outputs(text))

    def replay(directive, shown, argv):
        recorded = next(outputs, None)
        assert recorded is not None and recorded[0] == shown, (
            f"docs/{page}.md lacks the output of `{shown}`: run python docs/build.py {page}")
        return recorded[1]

    def image(rel, name):
        path = os.path.join(DOCS, "img", name)
        assert os.path.isfile(path), f"docs/img/{name} is missing: python docs/build.py {page}"

    rebuilt = build.render_text(page, replay, image)
    if rebuilt != text:
        stale = [p for p in re.findall(r"<!-- source: (.*?) -->", text)
                 if build.code_block(p) not in text]
        raise AssertionError(f"docs/{page}.md is out of date"
                             + (f" (changed since the build: {', '.join(stale)})" if stale else "")
                             + f": run python docs/build.py {page}")


def test_every_recipe_is_run_and_shown():
    text = "".join(_page(p) for p in PAGES)
    for name in recipes.names():
        assert f"$ ember run {name}" in text, f"no docs page runs `ember run {name}`"
        module = f"ember/recipes/{name.replace('-', '_')}.py"
        assert f"<!-- source: {module} -->" in text, f"no docs page shows {module}"
    for shown in re.findall(r"^\$ ember run (\S+)", text, re.M):
        assert shown in recipes.names(), f"docs run an unknown recipe {shown!r}"


def test_images_are_pngs_and_all_used():
    text = "".join(_page(p) for p in PAGES)
    linked = set(re.findall(r"!\[[^\]]*\]\(img/([^)]+)\)", text))
    readme = open(os.path.join(ROOT, "README.md")).read()
    linked |= set(re.findall(r"\(docs/img/([^)]+)\)", readme))
    on_disk = set(os.listdir(os.path.join(DOCS, "img")))
    assert linked <= on_disk, sorted(linked - on_disk)
    assert on_disk <= linked, f"unused images in docs/img: {sorted(on_disk - linked)}"
    for name in on_disk:
        with open(os.path.join(DOCS, "img", name), "rb") as f:
            head = f.read(8)
        assert head == b"\x89PNG\r\n\x1a\n", name
        assert os.path.getsize(os.path.join(DOCS, "img", name)) > 5000, name


def test_failing_commands_show_one_line_and_status():
    text = "".join(_page(p) for p in PAGES)
    blocks = [(s, o) for s, o in build.shown_outputs(text) if o.endswith(")")
              and "(exit status" in o.splitlines()[-1]]
    assert len(blocks) >= 4
    for shown, out in blocks:
        lines = out.splitlines()
        assert len(lines) == 2 and lines[0].startswith("ember run") and "error:" in lines[0], out
        assert lines[1] != "(exit status 0)", shown


@pytest.mark.parametrize("page", DETERMINISTIC)
def test_deterministic_output_is_reproduced(page):
    """Rerun the page's commands, in order in a fresh folder, and compare with what it shows."""
    text = _page(page)
    shown = build.shown_outputs(text)
    assert shown
    with tempfile.TemporaryDirectory() as work:
        def execute(directive, cmd, argv):
            return build.run_command(argv, work, timeout=300, fails=directive == "fails")

        rerun = build.render_text(page, execute, lambda rel, name: None)
    assert build.shown_outputs(rerun) == shown
