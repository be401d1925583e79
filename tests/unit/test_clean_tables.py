"""The tables every test starts without rows are all the models' tables: a table added without
joining ``TABLES`` would carry one test's rows into the next (an acceptance agreement once did)."""

import models
from tests.conftest import TABLES


def test_every_model_table_is_cleaned_between_tests():
    assert {getattr(models, name)._meta.db_table for name in models.__all__} == set(TABLES)
