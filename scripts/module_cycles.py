#!/usr/bin/env python3
"""Lists dependency cycles between the top-level modules of each crate (test code excluded).

A module `a` depends on `b` when its non-test code (comments and doc links left out) names
`crate::b`. Prints each strongly connected component of more than one module;
exits 1 if there is any. Run from the repository root: `python3 scripts/module_cycles.py`.
"""
import pathlib, re, sys

def top(path, src):
    rel = path.relative_to(src).with_suffix("")
    parts = rel.parts
    return parts[0] if parts[0] not in ("lib", "main") else None

def code(text):
    """The non-test code, comments (and so doc links) left out."""
    i = text.find("#[cfg(test)]")
    text = text if i < 0 else text[:i]
    return "\n".join(l.split("//")[0] for l in text.splitlines())

def sccs(graph):
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]
    def visit(v):
        index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v: break
            out.append(comp)
    for v in list(graph):
        if v not in index: visit(v)
    return out

bad = 0
for src in sorted(pathlib.Path(".").glob("crates/*/src")) + [pathlib.Path("src")]:
    graph = {}
    for f in src.rglob("*.rs"):
        m = top(f, src)
        if m is None or f.name == "tests.rs": continue  # `#[cfg(test)] mod tests;` files
        graph.setdefault(m, set())
        for dep in re.findall(r"crate::(\w+)", code(f.read_text())):
            if dep != m: graph[m].add(dep)
    for comp in sccs(graph):
        if len(comp) > 1:
            bad += 1
            print(f"{src}: cycle among {', '.join(sorted(comp))}")
sys.exit(1 if bad else 0)
