"""schema/schema.graphql is the committed contract; it must match the code (`make schema`)."""

from pathlib import Path

from api.graphql import SCHEMA_FILE, schema_sdl


def test_the_committed_schema_matches_the_code():
    assert Path(SCHEMA_FILE).read_text(encoding="utf-8") == schema_sdl(), "run `make schema` and commit"
