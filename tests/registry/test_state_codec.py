"""The plain-data codec under the model file: every supported type round-trips; anything else is refused."""

from __future__ import annotations

import datetime as dt
import json
import threading

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from finmatch.artifact_state import ArtifactTypes, StateReader, StateWriter
from finmatch.exceptions import ModelArtifactError
from finmatch.matching.model_scorer import MonotoneCalibration


def round_trip(value: object, types: ArtifactTypes = ArtifactTypes()) -> object:
    writer = StateWriter(types, "x")
    text = json.dumps(writer.encode(value), allow_nan=True)
    return StateReader(types, writer.arrays, lambda name: writer.blobs[name]).decode(json.loads(text))


def test_plain_data_round_trips() -> None:
    frame = pd.DataFrame({"x": [1, 2], "when": pd.to_datetime(["2026-01-01", "2026-02-01"]), "o": ["u", None]},
                         index=pd.Index(["a", "b"], name="id"))
    grouped = pd.DataFrame({"g": ["a", "a", "b"], "v": [1.0, 2.0, 3.0]}).groupby("g")[["v"]].agg(["sum", "count"])
    value = {"list": [1, 2.5, None], "tuple": (1, "x"), "set": {"b", "a"}, 3: "int key", "day": dt.date(2026, 1, 2),
             "array": np.arange(6, dtype=np.float32).reshape(2, 3), "objects": np.array(["x", None], dtype=object),
             "nat": pd.NaT, "series": pd.Series([1.0, 2.0], index=["a", "b"], name="s"), "frame": frame,
             "grouped": grouped, "sparse": sp.csr_matrix(np.eye(3)), "int64": np.int64(5), "range": pd.RangeIndex(4)}
    out = round_trip(value)
    assert isinstance(out, dict)
    assert out["tuple"] == (1, "x") and out["set"] == {"a", "b"} and out[3] == "int key" and out["nat"] is pd.NaT
    assert out["day"] == dt.date(2026, 1, 2) and out["list"] == [1, 2.5, None] and out["int64"] == 5
    assert out["array"].dtype == np.float32 and np.array_equal(out["array"], value["array"])
    assert list(out["objects"]) == ["x", None]
    pd.testing.assert_frame_equal(out["frame"], frame)
    pd.testing.assert_frame_equal(out["grouped"], grouped)
    pd.testing.assert_series_equal(out["series"], value["series"])
    assert (out["sparse"] != value["sparse"]).nnz == 0 and out["range"].equals(pd.RangeIndex(4))


def test_allow_listed_dataclass_round_trips_and_others_are_refused() -> None:
    types = ArtifactTypes({"MonotoneCalibration": MonotoneCalibration})
    cal = MonotoneCalibration(x=np.array([0.0, 1.0]), y=np.array([0.1, 0.9]))
    back = round_trip(cal, types)
    assert isinstance(back, MonotoneCalibration) and np.array_equal(back(np.array([0.5])), cal(np.array([0.5])))
    with pytest.raises(ModelArtifactError, match="不能保存"):
        round_trip(cal)  # not on this allow-list
    with pytest.raises(ModelArtifactError, match="不能保存"):
        round_trip({"handle": threading.Lock()})


def test_a_file_naming_an_unknown_class_is_refused() -> None:
    state = {"$": "estimator", "class": "os.system", "params": {}, "fitted": {}}
    with pytest.raises(ModelArtifactError, match="未登记的组件"):
        StateReader(ArtifactTypes(), {}, lambda name: b"").decode(state)
