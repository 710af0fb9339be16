"""The validator's one pass for well-formed rows (Validator._plain_row) accepts only what the column-by-column
checks (_row) accept, and builds the very same Row; anything else goes through _row, which names the problem.

Generated records mix valid cells with every kind of bad one the column checks know about.
"""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slas import ingest
from slas.periods import local_today

pytestmark = pytest.mark.django_db
GENERATED = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
NUMBERS = [
    *(0, 1, 3, 9, 10, 11, 100, -1, 0.5, 4.25, -0.0, 99.99995, 10**11, 10**14, 10**15, True, None, ""),
    *("7", " 7 ", "4.3333", "1e3", "1_000", "-0", "nine", "Infinity", "nan", "sNaN", "0.00005", "12345678901.2345"),
    *(Decimal("123456789012.3456"), Decimal("99999999999.99995"), Decimal("1E+2"), [1], {"n": 1}),
]

# Amounts each metric accepts (a ratio: parts; a count: a value; a mean: either), in its valid range.
AMOUNTS = {
    "service_level": [{"numerator": 9, "denominator": 10}, {"numerator": "0", "denominator": "12.5"}],
    "csat": [{"numerator": 12.5, "denominator": 3}, {"value": 4.25}, {"value": "5"}],
    "calls_handled": [{"value": 120}, {"value": "0"}, {"value": 10**11}],
    "quality_score": [{"value": 99.99995}, {"value": 0}],
    "average_talk_time": [{"numerator": 900, "denominator": 3}, {"value": " 315.5 "}],
}


@pytest.fixture
def cells(world):
    today = local_today(world.practice.timezone)
    pk, agent = world.engagement.pk, world.agent.pk
    return {
        "engagement": [pk, str(pk), f" {pk} ", world.other_engagement.pk, 999999, True, 1.0, "x", "", None, [pk]],
        "metric": ["service_level", "csat", "calls_handled", "quality_score", "average_talk_time", "nope", 5, None],
        "service_line": ["claims", "astrology", "", None, 3],
        "agent": [agent, str(agent), world.other_agent.pk, 0, "abc", True, "", None, [agent]],
        "date": [
            *(str(today), str(today - timedelta(days=40)), str(today + timedelta(days=1)), "2000-01-01"),
            *("1999-12-31", "2026-02-30", "02/03/2026", "2026-W10-1", "", None, 20260302),
        ],
        "value": NUMBERS,
        "numerator": NUMBERS,
        "denominator": NUMBERS,
        "external_id": ["ext-1", " padded ", "", "   ", "x" * 100, "x" * 101, "tab\there", 42, True, 1.5, None],
        "numerater": [9],  # an unknown field
        "__extra__": [["surplus"]],  # a CSV row with more cells than the header
    }


@st.composite
def _records(draw, cells):
    """A record whose cells are each one a valid row may hold, then up to three cells changed to any value of
    their column (valid or not) or dropped: most records are near the boundary between accepted and refused."""
    pick = lambda name, count=None: draw(st.sampled_from(cells[name][:count]))  # noqa: E731
    record = {"engagement": pick("engagement", 3), "metric": pick("metric", 5), "date": pick("date", 4)}
    record["external_id"] = pick("external_id", 5)
    for name in ("agent", "service_line"):
        if draw(st.booleans()):
            record[name] = pick(name, 2)
    record.update(draw(st.sampled_from(AMOUNTS[record["metric"]])))
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(sorted(cells)))
        if draw(st.booleans()):
            record[name] = pick(name)
        else:
            record.pop(name, None)
    return record


def _validator(world, records):
    validator = ingest.Validator(records, world.provider_manager)
    validator._load_references()
    return validator


def _exactly(row):
    """Each field with its type and representation: Decimal("5.0000") and Decimal("5") are equal but not alike."""
    return (
        None if row is None else [(name, type(getattr(row, name)), repr(getattr(row, name))) for name in row.__slots__]
    )


def test_every_cell_of_a_generated_record_is_one_the_references_know(world, cells):
    # The references are loaded from the records, so load them from every engagement and agent the tests send.
    validator = _validator(world, [{"engagement": e, "agent": a} for e in cells["engagement"] for a in cells["agent"]])
    assert set(validator.ready) == {world.engagement.pk}
    assert world.agent.pk in validator.agents and world.other_agent.pk in validator.agents


def _near_valid(world, cells):
    """Every valid record of AMOUNTS, and each of them with one cell changed to every value of its column, or
    dropped: each boundary the column checks draw is crossed one cell at a time."""
    today = str(local_today(world.practice.timezone))
    for metric, amounts in AMOUNTS.items():
        for amount, extra in itertools.product(amounts, ({}, {"agent": world.agent.pk, "service_line": "claims"})):
            valid = {"engagement": world.engagement.pk, "metric": metric, "date": today, "external_id": "e", **extra}
            valid.update(amount)
            yield valid
            for name, values in cells.items():
                yield {key: value for key, value in valid.items() if key != name}
                yield from ({**valid, name: value} for value in values)


def _compare(validator, record, taken):
    plain = validator._plain_row(7, record)
    validator.errors = []
    full = validator._row(7, record)
    if plain is not None:
        assert validator.errors == [], record
        assert _exactly(plain) == _exactly(full), record
    taken.append(plain is not None)


def test_a_row_taken_in_one_pass_is_the_row_the_column_checks_build(world, cells):
    validator, taken = _validator(world, [{"engagement": world.engagement.pk, "agent": world.agent.pk}]), []
    for record in _near_valid(world, cells):
        _compare(validator, record, taken)
    assert 0.2 < sum(taken) / len(taken) < 0.8, "the records should be accepted and refused in good numbers"


def test_with_several_cells_changed_the_one_pass_still_accepts_only_what_the_column_checks_accept(world, cells):
    validator, taken = _validator(world, [{"engagement": world.engagement.pk, "agent": world.agent.pk}]), []

    @GENERATED
    @given(_records(cells))
    def check(record):
        _compare(validator, record, taken)

    check()
    assert 0.1 < sum(taken) / len(taken) < 0.9, "the records should be accepted and refused in good numbers"


def test_a_batch_validates_the_same_with_or_without_the_one_pass(world, cells, monkeypatch):
    references = [{"engagement": world.engagement.pk, "agent": world.agent.pk}]

    def outcome(records):
        try:
            return [_exactly(row) for row in ingest.Validator(references + records, world.provider_manager).run()]
        except ingest.IngestRejected as rejected:
            return rejected.errors

    @GENERATED
    @given(st.lists(_records(cells), min_size=1, max_size=6))
    def check(records):
        with_plain = outcome(records)
        with monkeypatch.context() as patched:
            patched.setattr(ingest.Validator, "_plain_row", lambda self, n, record: None)
            assert outcome(records) == with_plain

    check()


def test_ordinary_rows_of_every_kind_take_the_one_pass(world, monkeypatch):
    today = str(local_today(world.practice.timezone))
    base = {"engagement": world.engagement.pk, "date": today, "agent": world.agent.pk}
    records = [
        {**base, "metric": "service_level", "numerator": 9, "denominator": 10, "external_id": "ratio"},
        {
            **base,
            "metric": "csat",
            "numerator": 12.5,
            "denominator": 3,
            "external_id": "mean",
            "service_line": "claims",
        },
        {**base, "metric": "calls_handled", "value": 120, "external_id": "count"},
        {**base, "metric": "quality_score", "value": 87.53, "external_id": 1234},
        {**base, "metric": "service_level", "numerator": "8", "denominator": "10", "external_id": "csv-like"},
        {
            "engagement": str(world.engagement.pk),
            "metric": "calls_handled",
            "date": today,
            "value": "3",
            "external_id": "x",
        },
    ]

    def refuse(self, n, record):
        raise AssertionError(f"row {n} left the one pass: {record}")

    monkeypatch.setattr(ingest.Validator, "_row", refuse)
    rows = ingest.Validator(records, world.provider_manager).run()
    assert [(row.numerator, row.denominator) for row in rows] == [
        (Decimal("9.0000"), Decimal("10.0000")),
        (Decimal("12.5000"), Decimal("3.0000")),
        (Decimal("120.0000"), Decimal(1)),
        (Decimal("87.5300"), Decimal(1)),
        (Decimal("8.0000"), Decimal("10.0000")),
        (Decimal("3.0000"), Decimal(1)),
    ]
    assert rows[1].service_line_id is not None and rows[3].external_id == "1234"
