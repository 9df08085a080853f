"""The JSON Schema printed by `cutover schema` accepts the shipped examples and the valid fixtures,
and rejects a misspelled key, as an editor using yaml-language-server would."""
import copy
import glob
import json
import os
import subprocess

import jsonschema
import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("CUTOVER_BIN", os.path.join(ROOT, ".build", "debug", "cutover"))
EXAMPLES = sorted(glob.glob(os.path.join(ROOT, "..", "shared", "examples", "*.yaml")))
VALID = sorted(glob.glob(os.path.join(ROOT, "fixtures", "valid", "*.yaml")))


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(subprocess.run([BINARY, "schema"], check=True, capture_output=True).stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def load(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def test_examples_present():
    assert len(EXAMPLES) == 3


@pytest.mark.parametrize("path", EXAMPLES + VALID, ids=os.path.basename)
def test_accepts(validator, path):
    errors = [e.message for e in validator.iter_errors(load(path))]
    assert errors == []


@pytest.mark.parametrize("path", EXAMPLES, ids=os.path.basename)
def test_rejects_misspelled_key(validator, path):
    spec = copy.deepcopy(load(path))
    spec["spec"]["app"]["replicaz"] = spec["spec"]["app"].pop("replicas", 2)
    assert not validator.is_valid(spec)


def test_rejects_unknown_operation(validator):
    spec = copy.deepcopy(load(EXAMPLES[-1]))
    spec["spec"]["changes"] = [{"addColum": {"table": "t", "column": {"name": "c", "type": "text"}}}]
    assert not validator.is_valid(spec)
