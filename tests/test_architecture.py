"""The shape of the code (issue 23): modules of one job, at most 400 lines; no import cycle between modules of
the apps (an import inside a function counts: grimp sees it); `reports` reads nothing from `importing`.
The layers between apps are import-linter's contract (pyproject.toml, run by `make test`)."""
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ["core", "areas", "accounts", "households", "review", "living_standard", "low_income", "programs", "importing",
        "reports", "demo", "poverty_tracker"]
MAX_LINES = 400


def is_migration(module):
    return ".migrations." in f".{module}." or module.endswith(".migrations")


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*APPS, include_external_packages=False, cache_dir=None)


def app_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT).parts:
                yield path


def test_no_module_of_the_apps_is_over_400_lines():
    lengths = {str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
               for path in app_files()}
    assert len(lengths) > 100  # the walk found the apps
    too_long = sorted((lines, name) for name, lines in lengths.items() if lines > MAX_LINES)
    assert not too_long, f"modules over {MAX_LINES} lines (split them by job): " + ", ".join(
        f"{name} ({lines})" for lines, name in reversed(too_long))


def strongly_connected(nodes, edges):
    """The groups of modules that import each other, directly or round a loop (Tarjan, without recursion)."""
    index, low, on_stack, stack, groups = {}, {}, set(), [], []
    counter = 0
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def import_lines(graph, importer, imported):
    details = graph.get_import_details(importer=importer, imported=imported)
    return "; ".join(f"line {d['line_number']}: {d['line_contents']}" for d in details) or "(import)"


def test_strongly_connected_finds_a_loop_and_nothing_else():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert strongly_connected(edges, edges) == [["a", "b", "c"]]


def test_no_import_cycle_between_modules_of_the_apps(graph):
    modules = {module for module in graph.modules if not is_migration(module)}
    edges = {module: {imported for imported in graph.find_modules_directly_imported_by(module)
                      if imported in modules} for module in modules}
    cycles = strongly_connected(modules, edges)
    described = []
    for group in cycles:
        members = set(group)
        arrows = [f"    {importer} -> {imported} ({import_lines(graph, importer, imported)})"
                  for importer in group for imported in sorted(edges[importer] & members)]
        described.append(f"  {', '.join(group)}:\n" + "\n".join(arrows))
    assert not cycles, f"{len(cycles)} import cycle(s) between modules (a function-level import counts):\n" + \
        "\n".join(described)


def test_reports_imports_nothing_from_importing(graph):
    reports = {module for module in graph.modules if module == "reports" or module.startswith("reports.")}
    found = [f"  {importer} -> {imported} ({import_lines(graph, importer, imported)})"
             for importer in sorted(reports)
             for imported in sorted(graph.find_modules_directly_imported_by(importer))
             if imported == "importing" or imported.startswith("importing.")]
    assert not found, "reports imports from importing (the job framework lives in core.jobs):\n" + "\n".join(found)
