"""schema/schema.graphql is the committed contract; it must match the code (`make schema`)."""

from pathlib import Path

from api.graphql import SCHEMA_FILE, schema_sdl


def test_the_committed_schema_matches_the_code():
    assert Path(SCHEMA_FILE).read_text(encoding="utf-8") == schema_sdl(), "run `make schema` and commit"


def test_building_the_schema_again_changes_nothing():
    """Field extensions are applied each time a schema is built: the SDL must not grow."""
    assert schema_sdl() == schema_sdl()
