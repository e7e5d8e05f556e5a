#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Tests of xenstore-schema/: the generator and the dump checker.
Prints PASS/FAIL per test and "RESULT <pass> <fail>"."""

import copy
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
SCHEMA_DIR = os.path.join(TOP, "xenstore-schema")
SCHEMA = os.path.join(SCHEMA_DIR, "schema.json")
HEADER = os.path.join(TOP, "xen-guest-mod", "include", "uapi", "tsmc_xen", "xs_paths.h")
DUMPS = os.path.join(HERE, "dumps")
GOOD = os.path.join(DUMPS, "good-full.dump")

sys.path.insert(0, SCHEMA_DIR)
import xsschema  # noqa: E402

TMP = tempfile.mkdtemp(prefix="tsmc-schema-test-")
results = []


def test(fn):
    results.append(fn)
    return fn


def run(args, stdin=None):
    p = subprocess.run([sys.executable] + args, input=stdin, capture_output=True,
                       text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def check_text(text, *extra):
    path = os.path.join(TMP, "dump")
    with open(path, "w") as f:
        f.write(text)
    return run([os.path.join(SCHEMA_DIR, "check_dump.py"), *extra, path])


def good_text():
    with open(GOOD) as f:
        return f.read()


# ---- generator -------------------------------------------------------------

@test
def generator_matches_committed_header():
    out = os.path.join(TMP, "xs_paths.h")
    rc, _, err = run([os.path.join(SCHEMA_DIR, "gen_header.py"), SCHEMA, out])
    assert rc == 0, err
    with open(out) as a, open(HEADER) as b:
        assert a.read() == b.read(), "xs_paths.h out of date: make -C xenstore-schema gen"


@test
def generator_emits_every_entry_once():
    _, entries, _, _ = xsschema.load(SCHEMA)
    with open(HEADER) as f:
        text = f.read()
    for e in entries:
        line = '#define TSMC_XS_%s ' % e.name
        hits = [l for l in text.splitlines() if l.startswith(line)]
        assert len(hits) == 1, e.name
        want = '"%s"' % xsschema.template_printf(e.path)
        assert hits[0].split(None, 2)[2].strip() == want, (e.name, hits[0])
    # Relative forms for guests, and the agreed host-tag path.
    assert any(l.split() == ["#define", "TSMC_XS_HOST_TAG_REL", '"tsmc/host-tag"']
               for l in text.splitlines())
    assert '"/local/domain/%u/tsmc/host-tag"' in text


@test
def generator_rejects_bad_schemas():
    with open(SCHEMA) as f:
        base = json.load(f)
    cases = [
        ("missing field 'perms'", lambda d: d["entries"][0].pop("perms")),
        ("duplicate name", lambda d: d["entries"].append(copy.deepcopy(d["entries"][0]))),
        ("bad perm", lambda d: d["entries"][0].__setitem__("perms", ["x0"])),
        ("unknown placeholder {vm}", lambda d: d["entries"][0].__setitem__("path", "/a/{vm}")),
        ("bad format", lambda d: d["entries"][1].__setitem__("format", "range:9-1")),
        ("default does not fit", lambda d: [e for e in d["entries"] if e["name"] == "RING_ORDER"][0].__setitem__("default", "99")),
        ("requires unknown entry", lambda d: d["entries"][0].__setitem__("requires", ["NOPE"])),
        ("unknown field 'colour'", lambda d: d["entries"][0].__setitem__("colour", "red")),
        ("uses a placeholder not in the path", lambda d: d["entries"][0].__setitem__("perms", ["n0", "r{peer}"])),
    ]
    for msg, mutate in cases:
        d = copy.deepcopy(base)
        mutate(d)
        path = os.path.join(TMP, "bad.json")
        with open(path, "w") as f:
            json.dump(d, f)
        out = os.path.join(TMP, "never.h")
        rc, _, err = run([os.path.join(SCHEMA_DIR, "gen_header.py"), path, out])
        assert rc == 1, (msg, rc)
        assert msg in err, (msg, err)
        assert not os.path.exists(out), msg
    rc, _, err = run([os.path.join(SCHEMA_DIR, "gen_header.py"), SCHEMA])
    assert rc == 2 and "usage" in err


@test
def templates_match_and_bind():
    _, entries, _, _ = xsschema.load(SCHEMA)
    by = {e.name: e for e in entries}
    m = by["PAIR_CTL_REFS"].regex.match("/local/domain/0/tsmc/pairs/3-7/3/ctl-refs")
    assert m and m.group("lo") == "3"
    # {lo} used twice must be the same value.
    assert not by["PAIR_CTL_REFS"].regex.match("/local/domain/0/tsmc/pairs/3-7/7/ctl-refs")
    assert not by["PAIR_DIR"].regex.match("/local/domain/0/tsmc/pairs/03-7")
    assert xsschema.bindings_ok({"lo": "3", "hi": "7", "side": "7"})
    assert not xsschema.bindings_ok({"lo": "7", "hi": "3"})
    assert not xsschema.bindings_ok({"lo": "3", "hi": "7", "side": "9"})


@test
def value_formats():
    cv = xsschema.check_value
    assert cv("hex16", "0123456789abcdef") and not cv("hex16", "0123456789ABCDEF")
    assert not cv("hex16", "0123456789abcde")
    assert cv("range:12-20", "12") and not cv("range:12-20", "21") and not cv("range:12-20", "012")
    assert cv("empty|uint-list:1-33", "") and cv("empty|uint-list:1-33", "1 2 3")
    assert not cv("empty|uint-list:1-33", "1  2") and not cv("empty|uint-list:1-33", " ".join(["1"] * 34))
    assert cv("text:32", "0.1.0") and not cv("text:32", "x" * 33) and not cv("text:32", "a\x01")
    assert cv("enum:0,1", "1") and not cv("enum:0,1", "2")
    assert cv("uint", "4294967295") and not cv("uint", "4294967296")


# ---- checker ---------------------------------------------------------------

@test
def checker_accepts_good_dumps():
    rc, out, _ = run([os.path.join(SCHEMA_DIR, "check_dump.py"), GOOD])
    assert rc == 0 and "39 tsmc nodes, 0 violations" in out, out
    rc, out, _ = run([os.path.join(SCHEMA_DIR, "check_dump.py"), os.path.join(DUMPS, "good-tree.dump")])
    assert rc == 0 and "39 tsmc nodes, 0 violations" in out, out
    # Listing a subtree without -f: names are relative to --root.
    sub = "\n".join(l[3:] for l in open(os.path.join(DUMPS, "good-tree.dump"))
                    .read().splitlines()[4:19]) + "\n"
    rc, out, _ = check_text(sub, "--root", "/local/domain/0")
    assert rc == 0 and "15 tsmc nodes, 0 violations" in out, out
    # stdin works too.
    rc, out, _ = run([os.path.join(SCHEMA_DIR, "check_dump.py"), "-"], stdin=good_text())
    assert rc == 0, out


BAD = [
    # (description, old line fragment, replacement, expected violation text)
    ("third domain in pair dir perms",
     '/local/domain/0/tsmc/pairs/3-7 = ""   (n0,r3,r7)',
     '/local/domain/0/tsmc/pairs/3-7 = ""   (n0,r3,r7,r9)',
     "/local/domain/0/tsmc/pairs/3-7: perms (n0,r3,r7,r9), schema wants (n0,r3,r7)"),
    ("peer may write my side",
     '/local/domain/0/tsmc/pairs/3-7/3/state = "4"   (n0,b3,r7)',
     '/local/domain/0/tsmc/pairs/3-7/3/state = "4"   (n0,b3,b7)',
     "schema wants (n0,b3,r7)"),
    ("guest owns its host tag",
     '/local/domain/3/tsmc/host-tag = "0123456789abcdef"   (n0,r3)',
     '/local/domain/3/tsmc/host-tag = "0123456789abcdef"   (n3)',
     "/local/domain/3/tsmc/host-tag: perms (n3)"),
    ("host tag malformed",
     '"0123456789abcdef"   (n0,r3)', '"0123456789ABCDEF"   (n0,r3)',
     "does not fit hex16"),
    ("side state missing",
     '/local/domain/0/tsmc/pairs/3-7/7/state = "4"   (n0,b7,r3)\n', '',
     "/local/domain/0/tsmc/pairs/3-7/7/state: missing (required by PAIR_DIR)"),
    ("server ring nodes missing",
     '/local/domain/0/tsmc/pairs/3-7/3/event-channel = "11"   (n0,b3,r7)\n', '',
     "/local/domain/0/tsmc/pairs/3-7/3/event-channel: missing"),
    ("state out of range",
     '/local/domain/0/tsmc/pairs/3-7/3/state = "4"', '/local/domain/0/tsmc/pairs/3-7/3/state = "9"',
     "does not fit enum:1,2,3,4,5,6"),
    ("unknown node in guest area",
     '/local/domain/7/tsmc/enabled = "1"   (n0,r7)\n',
     '/local/domain/7/tsmc/enabled = "1"   (n0,r7)\n/local/domain/7/tsmc/secret = "x"   (n0,r7)\n',
     "/local/domain/7/tsmc/secret: not in the schema"),
    ("pair dir with lo > hi",
     '/local/domain/0/tsmc/pairs = ""   (n0)\n',
     '/local/domain/0/tsmc/pairs = ""   (n0)\n/local/domain/0/tsmc/pairs/7-3 = ""   (n0,r3,r7)\n',
     "/local/domain/0/tsmc/pairs/7-3: not in the schema"),
    ("dangling peer pointer",
     '/local/domain/7/tsmc/peers/3 = "/local/domain/0/tsmc/pairs/3-7"',
     '/local/domain/7/tsmc/peers/3 = "/local/domain/0/tsmc/pairs/3-9"',
     "does not fit link:PAIR_DIR"),
    ("enabled without host tag",
     '/local/domain/7/tsmc/host-tag = "0123456789abcdef"   (n0,r7)\n', '',
     "/local/domain/7/tsmc/host-tag: missing (enabled is 1)"),
    ("guest report garbage",
     '/local/domain/3/data/tsmc/state = "ready"', '/local/domain/3/data/tsmc/state = "\\x1b[31m"',
     "/local/domain/3/data/tsmc/state: value"),
    ("too many grant refs",
     '"8 9 10"', '"' + " ".join(["8"] * 34) + '"',
     "ctl-refs: value"),
]


def make_bad_test(desc, old, new, want):
    def t():
        text = good_text()
        assert old in text, "fixture lacks: " + old
        rc, out, err = check_text(text.replace(old, new, 1))
        assert rc == 1, (desc, rc, out, err)
        assert want in out, (desc, out)
    t.__name__ = "checker_rejects: " + desc
    return t


for _case in BAD:
    results.append(make_bad_test(*_case))


@test
def checker_skips_truncated_values():
    # xenstore-ls without -f cuts long values with \... ; only perms count.
    text = open(os.path.join(DUMPS, "good-tree.dump")).read()
    old = '"0123456789abcdef"  . . . . . . . . . . . . .  (n0,r3)'
    assert old in text
    rc, out, _ = check_text(text.replace(old, '"0123456\\..."  (n0,r3)', 1))
    assert rc == 0, out


@test
def checker_bad_input_exit_2():
    rc, _, err = check_text("/local/domain/0/tsmc = \"\"\n")
    assert rc == 2 and "no permissions; dump with xenstore-ls -p" in err, err
    rc, _, err = check_text("garbage here\n")
    assert rc == 2 and "line 1: not a xenstore-ls line" in err, err
    rc, _, err = check_text("a = \"\"  (n0)\n    b = \"\"  (n0)\n")
    assert rc == 2 and "indentation" in err, err
    rc, _, err = run([os.path.join(SCHEMA_DIR, "check_dump.py"), "/nonexistent/dump"])
    assert rc == 2 and "No such file" in err, err
    rc, _, err = run([os.path.join(SCHEMA_DIR, "check_dump.py"), "--bogus"])
    assert rc == 2 and "unknown option" in err, err


@test
def checker_accepts_what_the_tool_writes():
    # Written by the C tests (t_daemon.c) from the fake xenstore after
    # enable + daemon: every node tsmc-xenctl creates must fit the schema.
    path = os.path.join(HERE, "build", "daemon-fake.dump")
    assert os.path.exists(path), "run the C tests first"
    rc, out, _ = run([os.path.join(SCHEMA_DIR, "check_dump.py"), path])
    assert rc == 0, out
    assert "0 violations" in out and " 0 tsmc nodes" not in out, out


def main():
    passed = failed = 0
    for fn in results:
        try:
            fn()
            print("PASS schema: %s" % fn.__name__.replace("_", " "))
            passed += 1
        except Exception as e:  # noqa: BLE001 - report every failure kind
            print("FAIL schema: %s: %r" % (fn.__name__.replace("_", " "), e))
            failed += 1
    subprocess.run(["rm", "-rf", TMP])
    print("RESULT %d %d" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
