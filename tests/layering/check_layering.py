#!/usr/bin/env python3
"""Checks the include rules of docs/architecture.md over src/: which folder may
include which, that Beast/Asio/nghttp2 stay inside src/http, that no front end includes
another, and that nobody reaches into another module's internal/ folder.

Usage: check_layering.py SRC_DIR. Prints each violation; exits 1 if there is any."""
import os
import re
import sys

# The modules each module may include (besides itself and the standard library).
# Arrows point down: entry > gateway > front ends > wire > transport; front ends >
# domain > storage > client > ground.
DOMAIN = {"stream", "objects", "delivery", "functions", "stacks", "query", "metrics"}
ALLOWED = {
    "base": set(),
    "log": {"base"},
    "catalog": {"base"},
    "aws": {"base"},
    "producer": {"aws", "base"},
    "stream": {"metrics", "log", "catalog", "aws", "base"},
    "objects": {"aws", "base"},
    # The second half's domain modules (DESIGN.md, "Components"): each talks to the
    # domain modules below it through their public headers only.
    "delivery": {"stream", "objects", "metrics", "log", "catalog", "aws", "base"},
    "functions": {"delivery", "stream", "objects", "metrics", "log", "catalog", "aws",
                  "base"},
    "query": {"objects", "catalog", "aws", "base"},
    # metrics sits lowest among the domain modules: the others report to it; alarm
    # actions reach functions through an interface the entry point wires.
    "metrics": {"catalog", "log", "base"},
    "stacks": {"functions", "delivery", "stream", "objects", "query", "metrics",
               "catalog", "aws", "base"},
    "http": {"base"},
    "awsproto": {"http", "base"},
    "frontends": {"awsproto", "http", "base"} | DOMAIN | {"aws"},
    "gateway": {"awsproto", "http", "base"},
    "cli": None,  # the entry point wires everything together
}
HEAVY = re.compile(r'#\s*include\s*[<"](boost/(beast|asio)|nghttp2/)')
INCLUDE = re.compile(r'#\s*include\s*"([^"]+)"')


def module_of(rel):
    parts = rel.split(os.sep)
    if parts[0] == "frontends" and len(parts) > 2:
        return "frontends", parts[1]
    return parts[0], None


def main():
    src = sys.argv[1]
    problems = []
    checked = 0
    for root, _, files in os.walk(src):
        for name in files:
            if not name.endswith((".h", ".cc")):
                continue
            path = os.path.join(root, name)
            rel = os.path.relpath(path, src)
            mod, frontend = module_of(rel)
            is_test = name.endswith("_test.cc") or f"{os.sep}testing{os.sep}" in rel
            with open(path, encoding="utf-8") as f:
                text = f.read()
            checked += 1
            if mod != "http" and HEAVY.search(text):
                problems.append(f"{rel}: includes Beast/Asio/nghttp2, which only src/http may")
            for inc in INCLUDE.findall(text):
                if inc.startswith("internal/"):
                    # Resolved through the module's PRIVATE include directory.
                    module_dir = os.path.join(src, *rel.split(os.sep)[:2 if mod == "frontends" else 1])
                    if not os.path.exists(os.path.join(module_dir, inc)):
                        problems.append(f"{rel}: includes {inc}, which is not its own module's")
                    continue
                if "/internal/" in inc:
                    problems.append(f"{rel}: includes {inc}: another module's internal header")
                    continue
                target = inc.split("/")[0]
                if not os.path.isdir(os.path.join(src, target)):
                    continue  # a third-party or generated header
                if mod == "frontends" and target == "frontends":
                    other = inc.split("/")[1]
                    if other != frontend:
                        problems.append(f"{rel}: front end {frontend} includes front end {other} ({inc})")
                    continue
                if target == mod:
                    continue
                if mod not in ALLOWED:
                    problems.append(f"{rel}: module {mod} has no rule in check_layering.py")
                    continue
                allowed = ALLOWED[mod]
                # The entry point wires everything; tests may wire what they test with.
                if allowed is None or is_test:
                    continue
                if target not in allowed:
                    problems.append(f"{rel}: {mod} may not include {target} ({inc})")
    for p in problems:
        print(p)
    print(f"layering: {checked} files checked, {len(problems)} violations")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
