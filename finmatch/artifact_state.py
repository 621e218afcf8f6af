"""Fitted objects as plain data: JSON for structure, one ``.npz`` for numeric arrays, skops for sklearn.

Why not pickle: unpickling runs whatever code the file names, and a renamed class breaks every saved
model. Here an object is written as its class *name* (looked up on load in an explicit allow-list the
composition root hands in), its constructor parameters (``get_params()``) and its fitted attributes
(instance attributes ending in ``_``), each of them plain data: scalars, lists, tuples, sets, dicts,
dates, numpy arrays, scipy sparse matrices, pandas indexes / series / frames, or other allow-listed
objects. It is rebuilt with ``cls(**params)`` and ``setattr`` of the fitted attributes, so whatever a
builder learns next travels without a change here, as long as it is plain data. Objects of
scikit-learn's own classes (e.g. a fitted ``Pipeline``) go through ``skops.io`` with an explicit list
of trusted types. Numeric arrays are read with ``allow_pickle=False``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from finmatch.exceptions import ModelArtifactError

TAG = "$"
_NUMERIC_KINDS = "biufc"


@dataclass(frozen=True)
class ArtifactTypes:
    """The allow-list: classes a model file may name, and the extra types skops may rebuild."""

    classes: Mapping[str, type] = field(default_factory=dict)
    skops_trusted: tuple[str, ...] = ()

    def merged(self, other: ArtifactTypes) -> ArtifactTypes:
        return ArtifactTypes({**self.classes, **other.classes},
                             tuple(dict.fromkeys((*self.skops_trusted, *other.skops_trusted))))

    def name_of(self, cls: type) -> str | None:
        return next((name for name, c in self.classes.items() if c is cls), None)


def fitted_attributes(obj: Any) -> dict[str, Any]:
    """Public instance attributes ending in ``_`` (scikit-learn's convention for learned state)."""
    return {k: v for k, v in vars(obj).items() if k.endswith("_") and not k.startswith("_")}


def _is_sklearn_object(value: Any) -> bool:
    return type(value).__module__.split(".")[0] == "sklearn" and hasattr(value, "get_params")


class StateWriter:
    """Encodes one object tree; ``arrays`` and ``blobs`` are written beside the JSON by the caller."""

    def __init__(self, types: ArtifactTypes, prefix: str) -> None:
        self.types = types
        self.prefix = prefix
        self.arrays: dict[str, np.ndarray] = {}
        self.blobs: dict[str, bytes] = {}

    def encode(self, v: Any, where: str = "") -> Any:  # noqa: C901 - one branch per plain-data type
        if v is None or isinstance(v, bool | str):
            return v
        if isinstance(v, int | float):
            return v
        if isinstance(v, np.generic):
            return v.item() if not isinstance(v, np.datetime64 | np.timedelta64) else self.encode(np.asarray(v))
        if isinstance(v, list):
            return [self.encode(x, f"{where}[{i}]") for i, x in enumerate(v)]
        if isinstance(v, tuple):
            return {TAG: "tuple", "v": [self.encode(x, f"{where}[{i}]") for i, x in enumerate(v)]}
        if isinstance(v, set | frozenset):
            items = sorted(v, key=repr)
            return {TAG: type(v).__name__, "v": [self.encode(x, where) for x in items]}
        if isinstance(v, dict):
            if all(isinstance(k, str) for k in v) and TAG not in v:
                return {k: self.encode(x, f"{where}.{k}") for k, x in v.items()}
            return {TAG: "dict", "v": [[self.encode(k, where), self.encode(x, f"{where}[{k!r}]")]
                                       for k, x in v.items()]}
        if v is pd.NaT or v is pd.NA:
            return {TAG: "nat" if v is pd.NaT else "na"}
        if isinstance(v, dt.datetime):
            return {TAG: "datetime", "v": v.isoformat()}
        if isinstance(v, dt.date):
            return {TAG: "date", "v": v.isoformat()}
        if isinstance(v, np.ndarray):
            return self._array(v, where)
        if isinstance(v, pd.MultiIndex):
            return {TAG: "multiindex", "v": [self.encode(np.asarray(v.get_level_values(i)), where)
                                             for i in range(v.nlevels)], "names": self.encode(list(v.names))}
        if isinstance(v, pd.RangeIndex):
            return {TAG: "range", "v": [v.start, v.stop, v.step], "name": self.encode(v.name)}
        if isinstance(v, pd.Index):
            return {TAG: "index", "v": self._array(v.to_numpy(), where), "dtype": str(v.dtype),
                    "name": self.encode(v.name)}
        if isinstance(v, pd.Series):
            return {TAG: "series", "v": self._array(v.to_numpy(), where), "dtype": str(v.dtype),
                    "index": self.encode(v.index, where), "name": self.encode(v.name)}
        if isinstance(v, pd.DataFrame):
            return {TAG: "frame", "columns": self.encode(v.columns, where), "index": self.encode(v.index, where),
                    "data": [self._array(v.iloc[:, i].to_numpy(), f"{where}[{c!r}]") for i, c in enumerate(v.columns)],
                    "dtypes": [str(d) for d in v.dtypes]}
        if sp.issparse(v):
            m = sp.csr_matrix(v)
            return {TAG: "sparse", "shape": list(m.shape), "data": self._array(m.data, where),
                    "indices": self._array(m.indices, where), "indptr": self._array(m.indptr, where)}
        name = self.types.name_of(type(v))
        if name is not None and dataclasses.is_dataclass(v):
            return {TAG: "dataclass", "class": name,
                    "v": {f.name: self.encode(getattr(v, f.name), f"{where}.{f.name}") for f in dataclasses.fields(v)}}
        if name is not None and hasattr(v, "get_params"):
            return {TAG: "estimator", "class": name, "params": self.encode(v.get_params(deep=False), where),
                    "fitted": self.encode(fitted_attributes(v), where)}
        if _is_sklearn_object(v):
            return self._skops(v)
        raise ModelArtifactError(f"模型组件 {where or '(根)'} 的类型 {type(v).__module__}.{type(v).__qualname__} "
                                 f"不能保存为模型文件（只允许数据与已登记的组件）",
                                 field="model")

    def _array(self, a: np.ndarray, where: str) -> Any:
        if a.dtype.kind in _NUMERIC_KINDS:
            key = f"a{len(self.arrays)}"
            self.arrays[key] = np.ascontiguousarray(a)
            return {TAG: "ndarray", "key": key}
        if a.dtype.kind in "mM":
            key = f"a{len(self.arrays)}"
            self.arrays[key] = a.view(np.int64)
            return {TAG: "ndarray", "key": key, "dtype": str(a.dtype)}
        return {TAG: "objarray", "shape": list(a.shape), "dtype": "object" if a.dtype.kind == "O" else str(a.dtype),
                "v": [self.encode(x, where) for x in a.ravel().tolist()]}

    def _skops(self, v: Any) -> Any:
        import skops.io as sio

        name = f"{self.prefix}_sk{len(self.blobs)}.skops"
        self.blobs[name] = sio.dumps(v, compression=zipfile.ZIP_DEFLATED)
        return {TAG: "skops", "file": name}


class StateReader:
    """Decodes what :class:`StateWriter` wrote; refuses any class not on the allow-list."""

    def __init__(self, types: ArtifactTypes, arrays: Mapping[str, np.ndarray], blob: Callable[[str], bytes]) -> None:
        self.types = types
        self.arrays = arrays
        self.blob = blob

    def decode(self, v: Any) -> Any:  # noqa: C901 - mirror of StateWriter.encode
        if isinstance(v, list):
            return [self.decode(x) for x in v]
        if not isinstance(v, dict):
            return v
        tag = v.get(TAG)
        if tag is None:
            return {k: self.decode(x) for k, x in v.items()}
        if tag == "tuple":
            return tuple(self.decode(x) for x in v["v"])
        if tag in ("set", "frozenset"):
            items = [self.decode(x) for x in v["v"]]
            return set(items) if tag == "set" else frozenset(items)
        if tag == "dict":
            return {self._key(self.decode(k)): self.decode(x) for k, x in v["v"]}
        if tag in ("nat", "na"):
            return pd.NaT if tag == "nat" else pd.NA
        if tag == "datetime":
            return dt.datetime.fromisoformat(v["v"])
        if tag == "date":
            return dt.date.fromisoformat(v["v"])
        if tag in ("ndarray", "objarray"):
            return self._array(v)
        if tag == "multiindex":
            return pd.MultiIndex.from_arrays([self._array(a) for a in v["v"]], names=self.decode(v["names"]))
        if tag == "range":
            return pd.RangeIndex(*v["v"], name=self.decode(v["name"]))
        if tag == "index":
            return pd.Index(self._array(v["v"]), dtype=v["dtype"], name=self.decode(v["name"]))
        if tag == "series":
            return pd.Series(self._array(v["v"]), index=self.decode(v["index"]), name=self.decode(v["name"]),
                             dtype=v["dtype"])
        if tag == "frame":
            columns, index = self.decode(v["columns"]), self.decode(v["index"])
            data = {i: pd.Series(self._array(a), index=index, dtype=d)
                    for i, (a, d) in enumerate(zip(v["data"], v["dtypes"], strict=True))}
            frame = pd.DataFrame(data, index=index)
            frame.columns = columns
            return frame
        if tag == "sparse":
            return sp.csr_matrix((self._array(v["data"]), self._array(v["indices"]), self._array(v["indptr"])),
                                 shape=tuple(v["shape"]))
        if tag == "dataclass":
            return self._class(v["class"])(**{k: self.decode(x) for k, x in v["v"].items()})
        if tag == "estimator":
            cls = self._class(v["class"])
            try:
                obj = cls(**self.decode(v["params"]))
            except TypeError as exc:
                raise ModelArtifactError(f"模型组件 {v['class']} 的参数与当前程序不一致（{exc}），请重新训练模型", field="model") from exc
            for k, x in self.decode(v["fitted"]).items():
                setattr(obj, k, x)
            return obj
        if tag == "skops":
            return self._skops(v["file"])
        raise ModelArtifactError(f"模型文件含有无法识别的数据类型 {tag!r}", field="model")

    @staticmethod
    def _key(k: Any) -> Any:
        return k

    def _array(self, v: dict[str, Any]) -> np.ndarray:
        if v[TAG] == "ndarray":
            a = np.asarray(self.arrays[v["key"]])
            return a.view(v["dtype"]) if "dtype" in v else a
        out = np.empty(len(v["v"]), dtype=object)
        out[:] = [self.decode(x) for x in v["v"]]
        out = out.reshape(v["shape"])
        return out if v["dtype"] == "object" else out.astype(v["dtype"])

    def _class(self, name: str) -> type:
        cls = self.types.classes.get(name)
        if cls is None:
            raise ModelArtifactError(f"模型文件引用了本程序未登记的组件 {name}，拒绝加载；请用当前版本重新训练", field="model")
        return cls

    def _skops(self, name: str) -> Any:
        import skops.io as sio
        from skops.io.exceptions import UntrustedTypesFoundException

        try:  # skops itself refuses any type beyond its defaults and our explicit list
            return sio.loads(self.blob(name), trusted=list(self.types.skops_trusted) or None)
        except UntrustedTypesFoundException as exc:
            raise ModelArtifactError(f"模型文件 {name} 含有未被信任的类型（{exc}），拒绝加载", field="model") from exc


def save_npz(arrays: Mapping[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, allow_pickle=False, **arrays)
    return buf.getvalue()


def load_npz(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}
