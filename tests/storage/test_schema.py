"""The Alembic migrations build exactly the tables the models declare, on both backends."""

from __future__ import annotations

import random

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from finmatch import credit_code
from finmatch.schemas import Enterprise, Product
from finmatch.storage.orm import Base


def test_migrations_match_models(database):
    with database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_credit_code_check_character():
    rng = random.Random(3)
    for _ in range(50):
        code = credit_code.generate(rng)
        assert credit_code.validate(code) == code
        wrong = code[:17] + ("0" if code[17] != "0" else "1")
        with pytest.raises(ValueError):
            credit_code.validate(wrong)
    # a published code (GB 32100 example format) validates
    assert credit_code.validate("91350100M000100Y43") == "91350100M000100Y43"


def test_product_bounds_and_labels():
    with pytest.raises(ValueError):
        Product(product_id="p", institution_id="i", name="n", family="loan", amount_min_wan=500, amount_max_wan=100)
    p = Product(product_id="p", institution_id="i", name="n", family="担保", stages="中试熟化;产业化放大",
                min_tax_grade="B")
    assert p.family.value == "guarantee" and [s.value for s in p.stages] == ["pilot", "scale_up"]
    e = Enterprise(enterprise_id="e", name="n", has_collateral="无", debt_ratio="0.5", certifications="瞪羚企业")
    assert e.has_collateral is False and e.debt_ratio == 0.5 and e.certifications[0].value == "gazelle"
    with pytest.raises(ValueError):
        Enterprise(enterprise_id="e", name="n", debt_ratio=1.2)
