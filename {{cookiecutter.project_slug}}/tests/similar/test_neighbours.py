"""The index of training records: built by the served graph, and each record finds itself."""

import numpy as np
import pytest

from {{ cookiecutter.module_name }}.bundle import NEIGHBOURS_FILE, load_bundle
from {{ cookiecutter.module_name }}.data.splits import load_splits
from {{ cookiecutter.module_name }}.features import api_records, targets
from {{ cookiecutter.module_name }}.similar.neighbours import INDEXED, read_neighbours

# Records to look up: enough to meet duplicates and odd rows, few enough to stay quick.
LOOKED_UP = 100


@pytest.fixture(scope="module")
def index(trained):
    bundle = load_bundle(trained.settings.paths.serving)
    neighbours = read_neighbours(bundle)
    assert neighbours is not None
    return bundle, neighbours, INDEXED.validate_json(bundle.files[NEIGHBOURS_FILE])


def test_the_index_holds_training_records_with_their_targets(index, trained):
    _, neighbours, indexed = index
    splits, schema = load_splits(trained.settings.paths.processed)
    train = splits["train"]
    assert neighbours.size == len(indexed)
    assert 0.95 * min(trained.settings.similar.index_rows, len(train)) <= len(indexed)
    assert len(indexed) <= min(trained.settings.similar.index_rows, len(train))
    known: dict[str, set[str | float]] = {}
    labels = targets(train, schema).tolist()
    for record, label in zip(api_records(schema, train), labels, strict=True):
        known.setdefault(repr(sorted(record.items())), set()).add(label)
    for item in indexed[:LOOKED_UP]:
        assert item.target in known[repr(sorted(item.record.items()))]


def test_a_training_record_finds_itself_first_with_similarity_one(index):
    bundle, neighbours, indexed = index
    names = bundle.manifest.feature_schema.names
    for position, item in enumerate(indexed[:LOOKED_UP]):
        [vector] = bundle.model.embed([[item.record[name] for name in names]])
        found = neighbours.nearest(vector, 5)
        assert found[0].similarity == pytest.approx(1.0, abs=1e-5)
        # Rows the model can't tell apart tie at 1: the record is one of them.
        tied = [n.index for n in found if n.similarity >= found[0].similarity - 1e-6]
        assert position in tied or len(tied) == len(found)
        similarities = [n.similarity for n in found]
        assert similarities == sorted(similarities, reverse=True)


def test_similarity_is_the_cosine_of_the_embeddings(index):
    bundle, neighbours, indexed = index
    names = bundle.manifest.feature_schema.names
    rows = [[item.record[name] for name in names] for item in indexed]
    vectors = bundle.model.embed(rows)
    query = vectors[len(vectors) // 2]
    found = neighbours.nearest(query, 10)
    cosines = vectors @ query
    assert [n.similarity for n in found] == pytest.approx(np.sort(cosines)[::-1][:10], abs=1e-5)
    assert found[-1].similarity == pytest.approx(cosines[found[-1].index], abs=1e-5)


def test_asking_for_more_than_the_index_holds_returns_it_all(index):
    bundle, neighbours, indexed = index
    names = bundle.manifest.feature_schema.names
    [vector] = bundle.model.embed([[indexed[0].record[name] for name in names]])
    found = neighbours.nearest(vector, neighbours.size + 10)
    assert sorted(n.index for n in found) == list(range(neighbours.size))
