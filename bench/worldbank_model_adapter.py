"""World Bank projects and IEG ratings -> a feature frame for the generic risk-model trainer.

Protocol 1 of ``../shared/data/external/worldbank/README.md``: one row per rated project (ratings
joined to the projects list on Project ID = id), label ``outcome_unsatisfactory`` = 1 for an
Outcome of Moderately Unsatisfactory, Unsatisfactory or Highly Unsatisfactory (rows "Not Rated" or
empty dropped), time column ``approval_fy``.

Only what is known at approval is used: region, country, lending group, practice group, global
practice, agreement type, instrument (both the ratings' IPF/DPF type and the projects list's
detailed instrument), environmental category, main sector, log cost and log commitment, objective
(PDO) text length, implementing agency presence, additional-financing flag, approval year, and
*track-record* features: for the project's country, global practice, country x practice, region,
instrument and implementing agency, the smoothed failure rate ``(fails + m * prior) / (n + m)`` and
the count ``n`` over the rated projects that had closed AND been rated before the approval fiscal
year (``max(Final Closing FY, Evaluation FY) < Approval FY``). The prior is hierarchical: the
country's rate is shrunk towards its region's (same-year) rate, the country x practice rate
towards the country's; the others towards the failure rate of that same earlier set. This is the
analogue of an agency's track record shrunk towards its ministry's or province's. *Portfolio*
features from the whole projects list (rated or not): the country's earlier approvals, its
approvals in the five previous fiscal years, and the project's log cost minus the median of the
country's earlier ones.

Never used as features (the trainer refuses them when declared): Quality at Entry, Quality of
Supervision, Bank Performance, M&E Quality, Final Closing FY, Evaluation FY, Evaluation Type.
``include_quality_at_entry=True`` adds ``quality_at_entry`` to show the leakage guard at work.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from wastescreen.models.spec import FeatureSpec, TargetSpec

TARGET = TargetSpec("outcome_unsatisfactory", "outcome_unsatisfactory")
TIME_COLUMN = "approval_fy"
UNSATISFACTORY = {"Moderately Unsatisfactory", "Unsatisfactory", "Highly Unsatisfactory"}
AFTER_THE_FACT = (
    "quality_at_entry",
    "quality_of_supervision",
    "bank_performance",
    "me_quality",
    "final_closing_fy",
    "evaluation_fy",
    "evaluation_type",
)
CATEGORICAL = {
    "region": "WB Region",
    "country": "Country / Economy",
    "lending_group": "Country / Economy Lending Group",
    "practice_group": "Practice Group",
    "global_practice": "Global Practice",
    "agreement_type": "Agreement Type",
    "instrument_type": "Lending Instrument Type",
}
# (feature prefix, key columns, parent prefix) of the track-record features, parents first. A
# rate is shrunk towards its parent's rate (a country with few evaluated projects towards its
# region's record, a country x practice cell towards the country's), or towards the overall
# earlier failure rate when there is no parent.
HISTORY_KEYS: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    ("region", ("region",), None),
    ("country", ("country",), "region"),
    ("practice", ("global_practice",), None),
    ("country_practice", ("country", "global_practice"), "country"),
    ("instrument", ("instrument",), None),
    ("agency", ("agency_key",), None),
)
SMOOTHING = 10.0
RECENT_APPROVAL = 5


def _fiscal_year(dates: pd.Series) -> pd.Series:
    """World Bank fiscal year (July-June) of ISO date strings; NaN when missing."""
    d = pd.to_datetime(dates, errors="coerce", utc=True)
    return d.dt.year + (d.dt.month >= 7).astype(float)


def load_projects(folder: Path) -> pd.DataFrame:
    """Rated projects joined to the projects list and sectors, label present, one row each."""
    ratings = pd.read_csv(folder / "ieg_ratings.csv.gz")
    projects = pd.read_csv(folder / "projects.csv.gz")
    sectors = pd.read_csv(folder / "sectors.csv.gz")
    ratings = ratings[ratings["Outcome"].notna() & (ratings["Outcome"] != "Not Rated")].copy()
    df = ratings.merge(projects, left_on="Project ID", right_on="id", how="left")
    out = pd.DataFrame({name: df[col] for name, col in CATEGORICAL.items()})
    out["project_id"] = df["Project ID"]
    out[TIME_COLUMN] = df["Approval FY"].astype(int)
    out[TARGET.label_column] = df["Outcome"].isin(UNSATISFACTORY).astype(int)
    out["instrument"] = df["lendinginstr"]
    out["environmental_category"] = df["envassesmentcategorycode"]
    out["log_cost"] = np.log1p(df["curr_project_cost"].clip(lower=0))
    out["log_commitment"] = np.log1p(df["curr_total_commitment"].clip(lower=0))
    words = df["pdo"].fillna("").str.count(r"\S+")
    out["objective_words"] = words.where(words > 0)
    out["agency_present"] = df["impagency"].notna()
    out["agency_key"] = (
        df["impagency"].str.lower().str.replace(r"[^a-z]+", " ", regex=True).str.strip()
    )
    out["additional_financing"] = (df["supplementprojectflg"] == "Y").where(
        df["supplementprojectflg"].notna()
    )
    main = sectors.sort_values("sector_percent", ascending=False).drop_duplicates("project_id")
    out["main_sector"] = df["Project ID"].map(main.set_index("project_id")["major_sector"])
    out["sector_count"] = df["Project ID"].map(sectors.groupby("project_id").size())
    closing = df["Final Closing FY"].fillna(_fiscal_year(df["closingdate"]))
    out["_known_fy"] = np.fmax(closing, df["Evaluation FY"])
    out["wb_country"] = df["countryshortname"]
    out["quality_at_entry"] = df["Quality at Entry"]
    return out.reset_index(drop=True)


def _key(frame: pd.DataFrame, keys: tuple[str, ...]) -> pd.Series:
    """Key columns joined with "|" as text; missing when any part is missing."""
    parts = [frame[k].astype("string") for k in keys]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + "|" + part  # missing stays missing
    return joined


def _cumulative(
    table: pd.DataFrame, years: npt.NDArray[np.int_], window: int | None
) -> pd.DataFrame:
    """Per key and year t: failures and count of rows with ``t`` column <= year (only the last
    ``window`` years when given), as a long frame (key, year, fails, n)."""
    wide = {}
    for stat in ("sum", "count"):
        cum = (
            table.pivot_table(index="key", columns="t", values="y", aggfunc=stat, fill_value=0)
            .reindex(columns=years, fill_value=0)
            .cumsum(axis=1)
        )
        if window is not None:
            cum = cum - cum.shift(window, axis=1, fill_value=0)
        wide[stat] = cum.stack()
    out = pd.DataFrame({"fails": wide["sum"], "n": wide["count"]})
    out.index = out.index.set_names(["key", TIME_COLUMN])
    return out.reset_index()


def add_track_record(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``<prefix>_past_rate`` and ``<prefix>_past_n`` for every HISTORY_KEYS entry, computed for
    each approval year only from projects with ``_known_fy`` earlier than that year."""
    out = df.copy()
    years = np.arange(df[TIME_COLUMN].min(), df[TIME_COLUMN].max() + 1)
    known = df.dropna(subset=["_known_fy"])
    y = TARGET.label_column
    prior = {t: known.loc[known["_known_fy"] < t, y].mean() for t in years}
    out["_prior"] = out[TIME_COLUMN].map(prior).fillna(float(df[y].mean()))
    for prefix, keys, parent in HISTORY_KEYS:
        shrink_to = out["_prior"] if parent is None else out[f"{parent}_past_rate"]
        shrink_to = shrink_to.fillna(out["_prior"])
        sub = known.dropna(subset=list(keys))
        table = pd.DataFrame(
            {"key": _key(sub, keys), "t": sub["_known_fy"].astype(int) + 1, "y": sub[y]}
        )
        own = _key(out, keys)
        merged = pd.DataFrame({"key": own, TIME_COLUMN: out[TIME_COLUMN]}).merge(
            _cumulative(table, years, None), on=["key", TIME_COLUMN], how="left"
        )
        n = merged["n"].fillna(0).to_numpy()
        fails = merged["fails"].fillna(0).to_numpy()
        out[f"{prefix}_past_rate"] = np.where(
            own.notna(), (fails + SMOOTHING * shrink_to) / (n + SMOOTHING), np.nan
        )
        out[f"{prefix}_past_n"] = np.where(own.notna(), n, np.nan)
    return out.drop(columns=["_prior"])


def add_portfolio(df: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """Country lending at approval, from the whole projects list (rated or not; closing dates are
    not used, they are missing for most old projects): approvals in the previous RECENT_APPROVAL
    fiscal years (``country_recent_approvals``), all earlier approvals (``country_prior``), and the
    log cost relative to the median log cost of the country's earlier approvals
    (``relative_cost``)."""
    p = projects[projects["boardapprovaldate"].notna() & (projects["status"] != "Dropped")]
    table = pd.DataFrame(
        {
            "key": p["countryshortname"].to_numpy(),
            "t": _fiscal_year(p["boardapprovaldate"]).to_numpy() + 1,
            "y": np.ones(len(p)),
        }
    ).dropna()
    table["t"] = table["t"].astype(int)
    years = np.arange(min(table["t"].min(), df[TIME_COLUMN].min()), df[TIME_COLUMN].max() + 1)
    out = df.copy()
    frame = pd.DataFrame({"key": df["wb_country"], TIME_COLUMN: df[TIME_COLUMN]})
    for name, window in (("country_prior", None), ("country_recent_approvals", RECENT_APPROVAL)):
        merged = frame.merge(_cumulative(table, years, window), on=["key", TIME_COLUMN], how="left")
        out[name] = np.where(df["wb_country"].notna(), merged["n"].fillna(0).to_numpy(), np.nan)
    cost = pd.DataFrame(
        {
            "key": p["countryshortname"].to_numpy(),
            "t": _fiscal_year(p["boardapprovaldate"]).to_numpy(),
            "c": np.log1p(p["curr_project_cost"].clip(lower=0)).to_numpy(),
        }
    )
    cost = cost[cost["c"] > 0].dropna()
    median = {
        (k, t): float(g.loc[g["t"] < t, "c"].median()) if (g["t"] < t).sum() >= 3 else np.nan
        for k, g in cost.groupby("key")
        for t in range(int(df[TIME_COLUMN].min()), int(df[TIME_COLUMN].max()) + 1)
    }
    past = [
        median.get((k, t), np.nan) for k, t in zip(frame["key"], frame[TIME_COLUMN], strict=True)
    ]
    out["relative_cost"] = out["log_cost"].where(out["log_cost"] > 0) - np.array(past)
    return out


def feature_specs(*, include_quality_at_entry: bool = False) -> list[FeatureSpec]:
    """Feature specs of our model. A past failure rate carries a +1 monotone constraint (a worse
    track record never lowers the risk).

    Chosen on the training years only (rolling origin with a 3-year gap inside FY <= 2008:
    validate 1997-2000, 2001-2004, 2005-2008; the test years were not looked at). Left out: the
    raw country category (187 levels, it over-fits; the country's track record stays), the
    detailed instrument and main sector (no gain), the approval year (trees cannot extrapolate
    it), and the implementing-agency features (the field is recorded for 0 % of projects before
    1995 and 25 % in 2005-2008, so what they learn is a recording practice, not a risk). Also
    tried and not kept, no gain beyond noise: objective-text features (numbers, percentages,
    vague verbs, enumerated components), IDA share, cost/commitment ratio, 10-year track
    records; later also (mean fold AUC against 0.593 for the set with flat-prior track records,
    except where noted): major-sector shares 0.592, main major sector as a category 0.598
    (0.602 against 0.599 with the hierarchical records; gain on the oldest fold only), failure
    rate of the 20
    most similar earlier-evaluated projects by name/objective TF-IDF 0.594, country x sector,
    sector, lending-group and region x practice track records 0.591, an 8-year country record
    0.594, rates as log-odds relative to the prior and counts as shares 0.591-0.593,
    practice/instrument rates shrunk towards practice group/instrument type (no change).
    Kept: the country's lending portfolio (earlier and recent approvals, cost relative
    to its earlier projects)."""
    cats = [c for c in CATEGORICAL if c != "country"] + ["environmental_category"]
    specs = [FeatureSpec(c, "categorical") for c in cats]
    numeric = ("log_cost", "log_commitment", "objective_words", "sector_count")
    specs += [FeatureSpec(c, "numeric") for c in numeric]
    specs.append(FeatureSpec("additional_financing", "boolean"))
    for prefix in ("country", "practice", "country_practice", "region", "instrument"):
        specs.append(FeatureSpec(f"{prefix}_past_rate", "numeric", {TARGET.name: 1}))
        specs.append(FeatureSpec(f"{prefix}_past_n", "numeric"))
    specs += [
        FeatureSpec(c, "numeric")
        for c in ("country_prior", "country_recent_approvals", "relative_cost")
    ]
    if include_quality_at_entry:
        specs.append(FeatureSpec("quality_at_entry", "categorical"))
    return specs


def baseline_specs() -> list[FeatureSpec]:
    """README reference model: categorical ex-ante columns, log cost and objective length."""
    cats = [*CATEGORICAL, "instrument", "environmental_category"]
    return [FeatureSpec(c, "categorical") for c in cats] + [
        FeatureSpec("log_cost", "numeric"),
        FeatureSpec("objective_words", "numeric"),
    ]


def build_frame(folder: Path) -> pd.DataFrame:
    """The full frame: ex-ante columns, track-record features, label, time and Quality at Entry."""
    projects = pd.read_csv(folder / "projects.csv.gz")
    return add_portfolio(add_track_record(load_projects(folder)), projects)
