# SPDX-License-Identifier: MIT
"""Load and validate schema.json; turn its path templates into regexes
and printf formats; check values against the schema's formats.

Shared by gen_header.py and check_dump.py so both read the schema the
same way."""

import json
import re

PLACEHOLDERS = ("domid", "peer", "lo", "hi", "side", "other")
# A Xen domid as xenstore paths carry it: decimal, no leading zero.
DOMID_RE = r"(?:0|[1-9][0-9]{0,4})"
NAME_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
PERM_RE = re.compile(r"^([nrwb])(0|[1-9][0-9]*|\{(" + "|".join(PLACEHOLDERS) + r")\})$")
KINDS = ("dir", "value")
FIELDS_REQUIRED = ("name", "path", "kind", "creator", "writer", "perms",
                   "format", "lifetime")
FIELDS_OPTIONAL = ("doc", "values", "default", "requires", "required_if")


class SchemaError(Exception):
    pass


def placeholders_of(template):
    return re.findall(r"\{([a-z]+)\}", template)


def template_regex(template):
    """Regex matching a concrete path; a placeholder used twice must
    match the same text both times."""
    out, seen, pos = [], set(), 0
    for m in re.finditer(r"\{([a-z]+)\}", template):
        out.append(re.escape(template[pos:m.start()]))
        ph = m.group(1)
        if ph in seen:
            out.append("(?P=%s)" % ph)
        else:
            seen.add(ph)
            out.append("(?P<%s>%s)" % (ph, DOMID_RE))
        pos = m.end()
    out.append(re.escape(template[pos:]))
    return re.compile("^" + "".join(out) + "$")


def template_printf(template):
    return re.sub(r"\{[a-z]+\}", "%u", template)


def substitute(template, bind):
    def rep(m):
        key = m.group(1)
        if key not in bind:
            raise KeyError(key)
        return str(bind[key])
    return re.sub(r"\{([a-z]+)\}", rep, template)


def bindings_ok(bind):
    """Relations between placeholders the regex cannot express."""
    if "lo" in bind and "hi" in bind and not int(bind["lo"]) < int(bind["hi"]):
        return False
    if "side" in bind:
        if bind["side"] not in (bind.get("lo"), bind.get("hi")):
            return False
        bind["other"] = bind["hi"] if bind["side"] == bind["lo"] else bind["lo"]
    if "peer" in bind and "domid" in bind and bind["peer"] == bind["domid"]:
        return False
    return True


# ---- value formats -------------------------------------------------------

def _uint(v):
    return re.fullmatch(r"0|[1-9][0-9]{0,9}", v) is not None and int(v) < 2**32


def _check_one(fmt, value, paths):
    if fmt == "empty":
        return value == ""
    if fmt == "uint":
        return _uint(value)
    if fmt == "hex16":
        return re.fullmatch(r"[0-9a-f]{16}", value) is not None
    if fmt == "uuid":
        return re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
                            r"[0-9a-f]{4}-[0-9a-f]{12}", value) is not None
    kind, _, arg = fmt.partition(":")
    if kind == "enum":
        return value in arg.split(",")
    if kind == "range":
        lo, hi = (int(x) for x in arg.split("-"))
        return _uint(value) and lo <= int(value) <= hi
    if kind == "uint-list":
        lo, hi = (int(x) for x in arg.split("-"))
        items = value.split(" ")
        return lo <= len(items) <= hi and all(_uint(i) for i in items)
    if kind == "text":
        return len(value) <= int(arg) and all(0x20 <= ord(c) < 0x7f for c in value)
    if kind == "link":
        return paths is not None and value in paths.get(arg, ())
    raise SchemaError("unknown format %r" % fmt)


def check_value(fmt, value, paths=None):
    """True if value fits fmt. 'a|b' means either. paths maps entry name
    -> set of concrete paths present (for link: formats)."""
    return any(_check_one(f, value, paths) for f in fmt.split("|"))


def _validate_format(fmt, names):
    for f in fmt.split("|"):
        kind, _, arg = f.partition(":")
        if f in ("empty", "uint", "hex16", "uuid"):
            continue
        if kind == "enum" and arg and all(arg.split(",")):
            continue
        if kind in ("range", "uint-list") and re.fullmatch(r"\d+-\d+", arg):
            lo, hi = (int(x) for x in arg.split("-"))
            if lo <= hi:
                continue
        if kind == "text" and arg.isdigit():
            continue
        if kind == "link" and arg in names:
            continue
        raise SchemaError("bad format %r" % f)


# ---- loading --------------------------------------------------------------

class Entry:
    def __init__(self, d):
        self.__dict__.update(d)
        self.regex = template_regex(self.path)
        self.args = placeholders_of(self.path)


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        raise SchemaError("%s: %s" % (path, e))
    return parse(doc)


def parse(doc):
    if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
        raise SchemaError("schema must be an object with an 'entries' list")
    if not isinstance(doc.get("schema_version"), int):
        raise SchemaError("schema_version must be an integer")
    names = [e.get("name") for e in doc["entries"] if isinstance(e, dict)]
    entries, seen_names, seen_paths = [], set(), set()
    for i, e in enumerate(doc["entries"]):
        where = "entry %d" % i
        if not isinstance(e, dict):
            raise SchemaError("%s: not an object" % where)
        for k in FIELDS_REQUIRED:
            if k not in e:
                raise SchemaError("%s: missing field %r" % (where, k))
        where = "entry %s" % e["name"]
        for k in e:
            if k not in FIELDS_REQUIRED + FIELDS_OPTIONAL:
                raise SchemaError("%s: unknown field %r" % (where, k))
        if not NAME_RE.match(str(e["name"])):
            raise SchemaError("%s: name must be UPPER_SNAKE" % where)
        if e["name"] in seen_names:
            raise SchemaError("%s: duplicate name" % where)
        seen_names.add(e["name"])
        p = e["path"]
        if not isinstance(p, str) or not p.startswith("/") or p.endswith("/") \
                or "//" in p:
            raise SchemaError("%s: path must be absolute, no trailing or double /" % where)
        bad = [ph for ph in placeholders_of(p) if ph not in PLACEHOLDERS]
        if bad:
            raise SchemaError("%s: unknown placeholder {%s}" % (where, bad[0]))
        if not re.fullmatch(r"[A-Za-z0-9_/{}@-]+", p):
            raise SchemaError("%s: path has characters xenstore forbids" % where)
        if p in seen_paths:
            raise SchemaError("%s: duplicate path %s" % (where, p))
        seen_paths.add(p)
        if e["kind"] not in KINDS:
            raise SchemaError("%s: kind must be one of %s" % (where, KINDS))
        if not isinstance(e["perms"], list) or not e["perms"]:
            raise SchemaError("%s: perms must be a non-empty list" % where)
        for perm in e["perms"]:
            m = PERM_RE.match(str(perm))
            if not m:
                raise SchemaError("%s: bad perm %r" % (where, perm))
            if m.group(3) and m.group(3) not in placeholders_of(p) + \
                    (["other"] if "side" in placeholders_of(p) else []):
                raise SchemaError("%s: perm %r uses a placeholder not in the path"
                                  % (where, perm))
        _validate_format(e["format"], names)
        for v in e.get("values", {}).values():
            if not check_value(e["format"], v, {}):
                raise SchemaError("%s: value %r does not fit format" % (where, v))
        if "default" in e and not check_value(e["format"], e["default"], {}):
            raise SchemaError("%s: default does not fit format" % where)
        for r in e.get("requires", []):
            if r not in names:
                raise SchemaError("%s: requires unknown entry %s" % (where, r))
        entries.append(Entry(e))
    by_name = {e.name: e for e in entries}
    for e in entries:
        for r in getattr(e, "requires", []):
            if not by_name[r].path.startswith(e.path + "/"):
                raise SchemaError("entry %s: required %s is not below it" % (e.name, r))
    scopes = doc.get("scopes", [])
    return doc["schema_version"], entries, [template_regex(s) for s in scopes], scopes
