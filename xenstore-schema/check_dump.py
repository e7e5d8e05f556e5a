#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Validate a live xenstore dump against schema.json.

usage: check_dump.py [--schema FILE] [--root PATH] [DUMP|-]

DUMP is the output of `xenstore-ls -f -p [PATH]` (full paths) or of
`xenstore-ls -p [PATH]` (indented names; give the listed PATH as --root).
Every node inside a tsmc scope must match a schema entry, carry exactly
the entry's permissions and a value of the entry's format; nodes an
entry requires must exist. Nodes outside the scopes are ignored.
Exit 0 = tree conforms, 1 = violations (one line each on stdout),
2 = usage or unreadable input."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import xsschema  # noqa: E402

LINE_RE = re.compile(r'^(?P<indent> *)(?P<name>[^ ]+) = "(?P<val>.*)"'
                     r'(?:[ .]*\((?P<perms>[^()]*)\))?$')
PERM_ITEM = re.compile(r"^[nrwb][0-9]+$")


class DumpError(Exception):
    pass


def unsanitise(s):
    """Undo xenstore-ls's escaping of non-printable bytes."""
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            if n == "x" and re.match(r"[0-9a-fA-F]{2}", s[i + 2:i + 4]):
                out.append(chr(int(s[i + 2:i + 4], 16)))
                i += 4
                continue
            if re.match(r"[0-7]{3}", s[i + 1:i + 4]):
                out.append(chr(int(s[i + 1:i + 4], 8)))
                i += 4
                continue
            out.append({"t": "\t", "n": "\n", "r": "\r"}.get(n, n))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def parse_dump(lines, root):
    """-> {path: (value, perms list, truncated)}"""
    nodes, stack = {}, []
    root = root.rstrip("/")
    for no, raw in enumerate(lines, 1):
        line = raw.rstrip("\n")
        if not line.strip():
            continue
        m = LINE_RE.match(line)
        if not m:
            raise DumpError("line %d: not a xenstore-ls line: %r" % (no, line[:80]))
        if m.group("perms") is None:
            raise DumpError("line %d: no permissions; dump with xenstore-ls -p" % no)
        perms = m.group("perms").split(",")
        if not all(PERM_ITEM.match(p) for p in perms):
            raise DumpError("line %d: bad permission list %r" % (no, m.group("perms")))
        name, depth = m.group("name"), len(m.group("indent"))
        if name.startswith("/"):
            path = name
        else:
            if depth > len(stack):
                raise DumpError("line %d: indentation jumps a level" % no)
            del stack[depth:]
            stack.append(name)
            path = root + "/" + "/".join(stack)
        val = m.group("val")
        truncated = val.endswith("\\...")
        nodes[path] = (unsanitise(val), perms, truncated)
    return nodes


def in_scope(path, scopes):
    parts = path.split("/")
    for n in range(2, len(parts) + 1):
        prefix = "/".join(parts[:n])
        if any(s.match(prefix) for s in scopes):
            return True
    return False


def binding_of(entry, path):
    m = entry.regex.match(path)
    if not m:
        return None
    bind = dict(m.groupdict())
    for key in ("domid", "peer", "lo", "hi"):
        if bind.get(key) == "0":
            return None     # dom0 is never a tsmc guest
    return bind if xsschema.bindings_ok(bind) else None


def expand(template, bind):
    """All concrete paths for template given bind; {side} ranges over lo/hi."""
    if "{side}" in template and "side" not in bind:
        out = []
        for s in (bind["lo"], bind["hi"]):
            b = dict(bind, side=s)
            xsschema.bindings_ok(b)
            out.extend(expand(template, b))
        return out
    try:
        return [xsschema.substitute(template, bind)]
    except KeyError:
        return []


def check(entries, scopes, nodes):
    errors = []
    matched = {}
    for path in sorted(nodes):
        if not in_scope(path, scopes):
            continue
        hits = [(e, b) for e in entries
                for b in [binding_of(e, path)] if b is not None]
        if not hits:
            errors.append((path, "not in the schema"))
            continue
        matched[path] = hits[0]
    paths_by_entry = {}
    for path, (e, _) in matched.items():
        paths_by_entry.setdefault(e.name, set()).add(path)
    for path, (e, bind) in sorted(matched.items()):
        value, perms, truncated = nodes[path]
        want = [xsschema.substitute(p, bind) for p in e.perms]
        if perms != want:
            errors.append((path, "perms (%s), schema wants (%s)"
                           % (",".join(perms), ",".join(want))))
        fmt = "empty" if e.kind == "dir" else e.format
        if not truncated and not xsschema.check_value(fmt, value, paths_by_entry):
            errors.append((path, "value %r does not fit %s" % (value[:40], fmt)))
        for rname in getattr(e, "requires", []):
            req = next(x for x in entries if x.name == rname)
            for p in expand(req.path, bind):
                if p not in nodes:
                    errors.append((p, "missing (required by %s)" % e.name))
        # conditional children: entries whose parent template is e's
        for child in entries:
            cond = getattr(child, "required_if", None)
            if not cond or child.path.rsplit("/", 1)[0] != e.path:
                continue
            sib = nodes.get(path + "/" + cond["sibling"])
            if sib and sib[0] == cond["value"]:
                for p in expand(child.path, bind):
                    if p not in nodes:
                        errors.append((p, "missing (%s is %s)"
                                       % (cond["sibling"], cond["value"])))
    return len(matched), errors


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    schema, root, dump = os.path.join(here, "schema.json"), "", None
    args = argv[1:]
    while args:
        a = args.pop(0)
        if a in ("-h", "--help"):
            sys.stdout.write(__doc__)
            return 0
        if a in ("--schema", "--root"):
            if not args:
                sys.stderr.write("check_dump: %s needs an argument\n" % a)
                return 2
            v = args.pop(0)
            if a == "--schema":
                schema = v
            else:
                root = v
        elif a.startswith("-") and a != "-":
            sys.stderr.write("check_dump: unknown option %s\n" % a)
            return 2
        elif dump is None:
            dump = a
        else:
            sys.stderr.write("check_dump: more than one dump given\n")
            return 2
    try:
        _, entries, scopes, _ = xsschema.load(schema)
    except xsschema.SchemaError as e:
        sys.stderr.write("check_dump: invalid schema: %s\n" % e)
        return 2
    try:
        if dump in (None, "-"):
            lines = sys.stdin.readlines()
        else:
            with open(dump, encoding="utf-8", errors="replace") as f:
                lines = f.readlines()
        nodes = parse_dump(lines, root)
    except (OSError, DumpError) as e:
        sys.stderr.write("check_dump: %s\n" % e)
        return 2
    count, errors = check(entries, scopes, nodes)
    for path, msg in errors:
        print("VIOLATION %s: %s" % (path, msg))
    print("schema check: %d tsmc nodes, %d violations" % (count, len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
