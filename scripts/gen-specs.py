#!/usr/bin/env python3
"""Write synthetic, VALID cutover specs for benchmarks and scaling tests.

    gen-specs.py --changes N [--tables T] [--engine postgresql|mysql]
                 [--count K] [--seed S] -o DIR

writes DIR/spec-0001.yaml .. DIR/spec-K.yaml. Each spec is an expand-contract
migration with exactly N changes over T tables: one createTable per table first,
then a seeded mix of addColumn (nullable, or NOT NULL with a constant default),
createIndex, addCheck, addForeignKey (between tables created earlier),
renameColumn and dropColumn. Every change references only tables and columns
created earlier in the same spec and still live, so semantic validation passes
without a `database.schema` (none is written). Renamed columns are not touched
again; columns used by an index, check or foreign key are never renamed or
dropped. Output is deterministic for given arguments. Standard library only.
"""
import argparse
import os
import random
import sys

TYPES = {
    "postgresql": {"id": "bigint", "int": "integer", "text": "text", "ts": "timestamptz"},
    "mysql": {"id": "BIGINT", "int": "INT", "text": "VARCHAR(255)", "ts": "DATETIME(6)"},
}
DEFAULTS = {"int": "0", "text": "''", "ts": "CURRENT_TIMESTAMP"}

# op -> relative weight once all tables exist
MIX = [
    ("addColumn", 30),
    ("addColumnDefault", 15),
    ("createIndex", 15),
    ("addCheck", 10),
    ("addForeignKey", 10),
    ("renameColumn", 10),
    ("dropColumn", 10),
]


class Table:
    def __init__(self, name):
        self.name = name
        self.live = {}        # column -> kind (int/text/ts/id)
        self.pinned = set()   # used by an index/check/fk or renamed: never renamed/dropped
        self.indexed = set()
        self.checked = set()
        self.fk_cols = []     # free bigint columns available for a foreign key


def q(s):
    """Double-quoted YAML scalar."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Gen:
    def __init__(self, rng, engine, ntables):
        self.rng = rng
        self.engine = engine
        self.types = TYPES[engine]
        self.tables = []
        self.ntables = ntables
        self.counter = 0
        self.out = []
        self.names = set()

    def fresh(self, prefix):
        self.counter += 1
        return "%s_%d" % (prefix, self.counter)

    def emit(self, text):
        self.out.append(text)

    # -- operations; each returns True if it emitted a change ------------------
    def create_table(self):
        t = Table("t%04d" % (len(self.tables) + 1))
        cols = [("id", "id", False), ("c_name", "text", True), ("c_amount", "int", True)]
        lines = ["    - createTable:", "        name: %s" % t.name, "        columns:"]
        for name, kind, nullable in cols:
            lines += ["          - name: %s" % name,
                      "            type: %s" % self.types[kind],
                      "            nullable: %s" % ("true" if nullable else "false")]
            t.live[name] = kind
        lines.append("        primaryKey: [id]")
        t.pinned.add("id")
        self.tables.append(t)
        self.emit("\n".join(lines))
        return True

    def add_column(self, with_default):
        t = self.rng.choice(self.tables)
        kind = self.rng.choice(["int", "text", "ts", "ref"] if len(self.tables) > 1 else ["int", "text", "ts"])
        name = self.fresh("c")
        lines = ["    - addColumn:", "        table: %s" % t.name, "        column:",
                 "          name: %s" % name]
        if kind == "ref":
            lines += ["          type: %s" % self.types["id"], "          nullable: true"]
            t.live[name] = "id"
            t.fk_cols.append(name)
        elif with_default:
            lines += ["          type: %s" % self.types[kind], "          nullable: false",
                      "          default: %s" % q(DEFAULTS[kind])]
            t.live[name] = kind
        else:
            lines += ["          type: %s" % self.types[kind], "          nullable: true"]
            t.live[name] = kind
        self.emit("\n".join(lines))
        return True

    def _pick_col(self, pred):
        cands = [(t, c) for t in self.tables for c, k in sorted(t.live.items()) if pred(t, c, k)]
        return self.rng.choice(cands) if cands else (None, None)

    def create_index(self):
        t, c = self._pick_col(lambda t, c, k: c not in t.indexed and c != "id")
        if t is None:
            return False
        t.indexed.add(c)
        t.pinned.add(c)
        self.emit("\n".join(["    - createIndex:", "        name: %s_%s_idx" % (t.name, c),
                             "        table: %s" % t.name, "        columns: [%s]" % c]))
        return True

    def add_check(self):
        t, c = self._pick_col(lambda t, c, k: k == "int" and c not in t.checked)
        if t is None:
            return False
        t.checked.add(c)
        t.pinned.add(c)
        self.emit("\n".join(["    - addCheck:", "        name: %s_%s_chk" % (t.name, c),
                             "        table: %s" % t.name,
                             "        expression: %s" % q("%s >= 0" % c)]))
        return True

    def add_foreign_key(self):
        cands = [t for t in self.tables if t.fk_cols]
        if not cands:
            return False
        t = self.rng.choice(cands)
        c = t.fk_cols.pop(0)
        ref = self.rng.choice([r for r in self.tables if r is not t])
        t.pinned.add(c)
        self.emit("\n".join(["    - addForeignKey:", "        name: %s_%s_fk" % (t.name, c),
                             "        table: %s" % t.name, "        columns: [%s]" % c,
                             "        references:", "          table: %s" % ref.name,
                             "          columns: [id]"]))
        return True

    def _free(self, t, c, k):
        return c not in t.pinned and c not in t.fk_cols

    def rename_column(self):
        t, c = self._pick_col(self._free)
        if t is None:
            return False
        new = self.fresh("r")
        t.live[new] = t.live.pop(c)
        t.pinned.add(new)
        self.emit("\n".join(["    - renameColumn:", "        table: %s" % t.name,
                             "        from: %s" % c, "        to: %s" % new]))
        return True

    def drop_column(self):
        t, c = self._pick_col(self._free)
        if t is None:
            return False
        del t.live[c]
        self.emit("\n".join(["    - dropColumn:", "        table: %s" % t.name,
                             "        column: %s" % c]))
        return True

    def run(self, nchanges):
        for _ in range(min(self.ntables, nchanges)):
            self.create_table()
        ops = {
            "addColumn": lambda: self.add_column(False),
            "addColumnDefault": lambda: self.add_column(True),
            "createIndex": self.create_index,
            "addCheck": self.add_check,
            "addForeignKey": self.add_foreign_key,
            "renameColumn": self.rename_column,
            "dropColumn": self.drop_column,
        }
        names = [n for n, _ in MIX]
        weights = [w for _, w in MIX]
        while len(self.out) < nchanges:
            op = self.rng.choices(names, weights)[0]
            if not ops[op]():
                self.add_column(False)  # always possible
        return self.out


def spec_text(index, engine, changes, tables):
    pg = engine == "postgresql"
    verify = ", ".join(t.name for t in tables[:3])
    head = [
        "# Synthetic spec generated by scripts/gen-specs.py (%d changes, %d tables)" % (len(changes), len(tables)),
        "apiVersion: cutover.dev/v1alpha1",
        "kind: Migration",
        "metadata:",
        "  name: synthetic-%04d" % index,
        "  namespace: bench",
        "spec:",
        "  strategy: expand-contract",
        "  database:",
        "    engine: %s" % engine,
        "    version: %s" % ('"15"' if pg else '"8.0"'),
        "    operator: %s" % ("zalando" if pg else "bitpoke"),
        "    cluster: bench-db",
        "    name: bench",
        "    credentialsSecret: bench-db-credentials",
        "  app:",
        "    name: bench-app",
        "    image: ghcr.io/acme/bench-app:v1.0.0",
        "    replicas: 3",
        "    port: 8080",
        "  runner:",
        "    tool: %s" % ("psql" if pg else "mysql"),
        "    lockTimeout: 2s",
        "    statementTimeout: 15m",
        "    deadline: 30m",
        "  changes:",
    ]
    tail = [
        "  backfill:",
        "    batchSize: 1000",
        "    pause: 50ms",
        "  rollout:",
        "    steps:",
        "      - setWeight: 20",
        "      - pause: 2m",
        "      - setWeight: 50",
        "      - pause: 5m",
        "    analysis:",
        "      prometheus: http://prometheus.monitoring.svc:9090",
        "      maxErrorRatio: 0.001",
        "  verify:",
        "    checksum:",
        "      tables: [%s]" % verify,
    ]
    return "\n".join(head + changes + tail) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--changes", type=int, required=True, help="changes per spec (N >= 1)")
    ap.add_argument("--tables", type=int, default=None, help="tables per spec (default max(1, N/10))")
    ap.add_argument("--engine", choices=["postgresql", "mysql"], default="postgresql")
    ap.add_argument("--count", type=int, default=1, help="number of specs (K)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("-o", "--output", required=True, help="output directory")
    a = ap.parse_args(argv)
    if a.changes < 1 or a.count < 1 or (a.tables is not None and a.tables < 1):
        ap.error("--changes, --count and --tables must be >= 1")
    ntables = a.tables if a.tables is not None else max(1, a.changes // 10)
    os.makedirs(a.output, exist_ok=True)
    for k in range(1, a.count + 1):
        rng = random.Random("%d/%d/%s/%d/%d" % (a.seed, k, a.engine, a.changes, ntables))
        g = Gen(rng, a.engine, ntables)
        changes = g.run(a.changes)
        assert len(changes) == a.changes
        path = os.path.join(a.output, "spec-%04d.yaml" % k)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(spec_text(k, a.engine, changes, g.tables))
    return 0


if __name__ == "__main__":
    sys.exit(main())
