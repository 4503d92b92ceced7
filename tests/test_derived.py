"""Derived metrics: each formula checked against its inputs by hand."""

import pytest

import dalian_data as dd
from dalian_data.catalogue import CatalogueError
from dalian_data.derived_metrics import evaluate_formula, formula_inputs


@pytest.fixture(scope="module")
def v():
    return dd.figures().set_index("figure_id")["value"]


@pytest.fixture(scope="module")
def d():
    return dd.derived().set_index("derived_id")["value"]


def test_previous_year_levels_are_implied_by_growth_and_change(v, d):
    assert d["tech_contract_turnover_2019"] == pytest.approx(v["tech_contract_turnover"] / 1.243)
    assert d["invention_patents_per_10k_2019"] == pytest.approx(v["invention_patents_per_10k"] / 1.14)
    assert d["good_air_days_2019"] == v["good_air_days"] - v["good_air_days_change"] == 302


def test_good_air_share_uses_a_366_day_year_for_2020(v, d):
    assert d["good_air_days_share"] == pytest.approx(332 / 366 * 100)
    assert dd.derived(days_in_year=365).set_index("derived_id").loc["good_air_days_share", "value"] == pytest.approx(
        332 / 365 * 100)


def test_waterborne_share_and_express_revenue_per_parcel(v, d):
    road, water = v["road_freight_turnover"], v["waterway_freight_turnover"]
    assert d["waterway_share_of_turnover"] == pytest.approx(water / (road + water) * 100)
    assert d["express_revenue_per_parcel"] == pytest.approx(33.91e8 / 20793.61e4)
    assert d["pupils_per_online_teacher"] == pytest.approx(637_100 / 39_300)


def test_per_resident_metrics_follow_the_population_parameter(d):
    doubled = dd.derived(population=2 * dd.DALIAN_POPULATION_2020).set_index("derived_id")["value"]
    assert doubled["talent_funds_per_resident"] == pytest.approx(d["talent_funds_per_resident"] / 2)
    assert doubled["gps_total"] == pytest.approx(d["gps_total"] * 2)
    assert doubled["waterway_share_of_turnover"] == d["waterway_share_of_turnover"]


def test_inputs_are_exactly_the_figure_ids_each_formula_names():
    der, ids = dd.derived(), set(dd.figures()["figure_id"])
    for row in der.itertuples():
        inputs = row.inputs.split(",")
        assert set(inputs) <= ids, row.derived_id
        assert all(i in row.formula for i in inputs)
    assert formula_inputs("(a + b) / a * population") == ["a", "b"]


def test_each_derived_metric_stays_within_its_indicator():
    figs = dd.figures().set_index("figure_id")["indicator_id"]
    for row in dd.derived().itertuples():
        assert {figs[i] for i in row.inputs.split(",")} == {row.indicator_id}, row.derived_id


def test_the_default_population_is_the_2020_census_count():
    assert dd.DALIAN_POPULATION_2020 == 7_450_785


@pytest.mark.parametrize(("kwargs", "name"), [({"population": 0}, "population"), ({"days_in_year": 360}, "days_in_year"),
                                              ({"population": 7.5e6}, "population")])
def test_bad_parameters_are_value_errors_naming_them(kwargs, name):
    with pytest.raises(ValueError, match=f"parameter '{name}'.*allowed"):
        dd.derived(**kwargs)


@pytest.mark.parametrize("formula", ["__import__('os')", "a ** 2", "a if b else c", "'text'"])
def test_formulas_are_limited_to_arithmetic(formula):
    with pytest.raises(CatalogueError, match="allowed"):
        evaluate_formula(formula, {"a": 1, "b": 2, "c": 3})


def test_a_formula_naming_an_unknown_figure_is_a_clear_error():
    with pytest.raises(CatalogueError, match="'ghost'"):
        evaluate_formula("ghost + 1", {})
