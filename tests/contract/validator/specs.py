"""The vendored specs: where they are, which API group each serves, loading them once
(a pickled cache between sessions) and applying the OVERRIDES."""

from __future__ import annotations

import copy
import hashlib
import os
import pickle
import re
import tempfile
import threading
from pathlib import Path
from typing import Any

import yaml

from .overrides import OVERRIDES

SPEC_DIR = Path(__file__).resolve().parents[3] / "connections" / "bigcommerce" / "specs"

#: spec files per API group; paths are unique within a group.
SPEC_FILES: dict[str, tuple[str, ...]] = {
    "v2": ("orders.v2.oas2.yml", "store_information.v2.yml"),
    "v3": (
        "products_catalog.v3.yml",
        "product-variants_catalog.v3.yml",
        "inventory.v3.yml",
        "locations.v3.yml",
        "webhooks.v3.yml",
        "customers.v3.yml",
    ),
    "shipping_provider": ("shipping_provider.yml",),
}

_CACHE_VERSION = "1"
_HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_STORE_URL_RE = re.compile(r"/stores/(?P<hash>[^/]+)(?P<rest>/.*)?$")
_STORE_API_RE = re.compile(r"/stores/(?P<hash>[^/]+)/(?P<version>v2|v3)(?P<path>/.*)?$")


def _spec_digest() -> str:
    h = hashlib.sha256(_CACHE_VERSION.encode())
    for group in SPEC_FILES.values():
        for name in group:
            h.update(name.encode())
            h.update((SPEC_DIR / name).read_bytes())
    return h.hexdigest()[:20]


def _cache_dir() -> Path | None:
    """A private directory for the pickled specs (never load a pickle others can write)."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    path = Path(
        os.environ.get("BIGCOMMERCE_CONTRACT_CACHE_DIR")
        or Path(tempfile.gettempdir()) / f"bigcommerce-contract-{uid}"
    )
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = path.stat()
    except OSError:
        return None
    if hasattr(os, "getuid") and (st.st_uid != uid or st.st_mode & 0o022):
        return None
    return path


def _load_raw_specs() -> dict[str, dict[str, Any]]:
    digest = _spec_digest()
    directory = _cache_dir()
    cache = directory / f"specs-{digest}.pickle" if directory is not None else None
    if cache is not None:
        try:
            with cache.open("rb") as fh:
                specs = pickle.load(fh)
            if isinstance(specs, dict):
                return specs
        except (OSError, pickle.PickleError, EOFError, AttributeError, ValueError):
            pass
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    specs = {}
    for group in SPEC_FILES.values():
        for name in group:
            with (SPEC_DIR / name).open(encoding="utf-8") as fh:
                specs[name] = yaml.load(fh, Loader=loader)
    if cache is not None:
        try:
            tmp = cache.with_suffix(f".{os.getpid()}-{threading.get_ident()}.tmp")
            with tmp.open("wb") as fh:
                pickle.dump(specs, fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(cache)
        except OSError:
            pass
    return specs


def _pointer_get(doc: Any, pointer: str) -> Any:
    node = doc
    for raw in pointer.lstrip("#").lstrip("/").split("/"):
        if raw == "":
            continue
        key = raw.replace("~1", "/").replace("~0", "~")
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def _apply_overrides(specs: dict[str, dict[str, Any]]) -> None:
    for ov in OVERRIDES:
        parent_ptr, _, last = ov.pointer.rpartition("/")
        key = last.replace("~1", "/").replace("~0", "~")
        parent = _pointer_get(specs[ov.spec], parent_ptr)
        if ov.action == "set":
            parent[key] = copy.deepcopy(ov.value)
        elif ov.action == "merge":
            parent.setdefault(key, {}).update(copy.deepcopy(ov.value))
        elif ov.action == "append":
            parent.setdefault(key, []).append(copy.deepcopy(ov.value))
        else:  # pragma: no cover - programming error
            raise ValueError(f"unknown override action {ov.action!r}")
