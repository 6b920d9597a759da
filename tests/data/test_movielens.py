"""MovieLens ml-100k and ml-1m folders, written by hand in tmp_path (no network)."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.data import load_movielens
from workbench.errors import DatasetError

GENRES = "unknown|0\nAction|1\nAdventure|2\nAnimation|3\nChildren's|4\nComedy|5\nCrime|6\nDocumentary|7\n" \
         "Drama|8\nFantasy|9\nFilm-Noir|10\nHorror|11\nMusical|12\nMystery|13\nRomance|14\nSci-Fi|15\n" \
         "Thriller|16\nWar|17\nWestern|18\n\n"


def flags(*on: int) -> str:
    return "|".join("1" if i in on else "0" for i in range(19))


@pytest.fixture
def ml100k(tmp_path):
    folder = tmp_path / "ml-100k"
    folder.mkdir()
    (folder / "u.data").write_text("196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t377\t1\t878887116\n"
                                   "196\t302\t5\t881251000\n")
    items = (f"242|Kolya (1996)|24-Jan-1997||http://x|{flags(5)}\n"
             f"302|L.A. Confidential (1997)|01-Jan-1997||http://y|{flags(6, 10, 13, 16)}\n"
             f"377|Caf\u00e9 (1994)|||http://z|{flags(0)}\n")
    (folder / "u.item").write_bytes(items.encode("latin-1"))
    (folder / "u.genre").write_text(GENRES)
    (folder / "u.user").write_text("196|49|M|writer|55105\n186|39|F|executive|00000\n22|25|M|writer|40206\n")
    return folder


@pytest.fixture
def ml1m(tmp_path):
    folder = tmp_path / "ml-1m"
    folder.mkdir()
    (folder / "ratings.dat").write_text("1::1193::5::978300760\n1::661::3::978302109\n2::1193::4::978298413\n")
    (folder / "movies.dat").write_bytes("1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n"
                                        "661::James and the Giant Peach (1996)::Animation|Children's|Musical\n"
                                        "3::Am\u00e9lie: A Story (2001)::Comedy|Romance\n".encode("latin-1"))
    (folder / "users.dat").write_text("1::F::1::10::48067\n2::M::56::16::70072\n")
    return folder


def test_ml100k_interactions(ml100k):
    data = load_movielens(ml100k)
    frame = data.interactions
    assert list(frame.columns) == ["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE"]
    assert frame["USER_ID"].tolist() == ["196", "186", "22", "196"]
    assert frame["EVENT_VALUE"].tolist() == [3.0, 3.0, 1.0, 5.0]
    assert set(frame["EVENT_TYPE"]) == {"rating"}
    assert frame["TIMESTAMP"].dtype == np.int64 and frame["TIMESTAMP"].iloc[0] == 881250949
    assert data.reports["interactions"].rows_read == 4


def test_ml100k_items_and_users(ml100k):
    data = load_movielens(ml100k)
    items = data.items.set_index("ITEM_ID")
    assert items.loc["242", "GENRES"] == "Comedy"
    assert items.loc["302", "GENRES"] == "Crime|Film-Noir|Mystery|Thriller"
    assert items.loc["377", "TITLE"] == "Caf\u00e9 (1994)"  # latin-1 decoded
    assert items.loc["242", "CREATION_TIMESTAMP"] == 854064000  # 1997-01-24 00:00 UTC
    assert items["CREATION_TIMESTAMP"].isna().sum() == 1
    assert data.reports["items"].schema.field("TITLE").textual
    users = data.users.set_index("USER_ID")
    assert users.loc["186", "ZIP_CODE"] == "00000" and users.loc["196", "AGE"] == 49


def test_ml1m(ml1m):
    data = load_movielens(ml1m)
    assert data.interactions["ITEM_ID"].tolist() == ["1193", "661", "1193"]
    assert data.interactions["EVENT_VALUE"].tolist() == [5.0, 3.0, 4.0]
    items = data.items.set_index("ITEM_ID")
    assert items.loc["661", "GENRES"] == "Animation|Children's|Musical"
    assert items.loc["3", "TITLE"] == "Am\u00e9lie: A Story (2001)"  # single ':' inside a title survives
    assert data.users.set_index("USER_ID").loc["2", "OCCUPATION"] == "16"


def test_parent_folder_is_searched(ml1m):
    assert len(load_movielens(ml1m.parent).interactions) == 3


def test_variant_not_downloaded_does_not_touch_the_network(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path))

    def no_network(*args, **kwargs):
        raise AssertionError("network used")

    monkeypatch.setattr("urllib.request.urlopen", no_network)
    with pytest.raises(DatasetError, match="download=True"):
        load_movielens("ml-100k")


def test_cached_variant_is_found(tmp_path, monkeypatch, ml1m):
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(ml1m.parent))
    assert len(load_movielens("ml-1m").interactions) == 3


def test_bad_rating_row_is_named(tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "u.data").write_text("1\t2\t3\t881250949\n1\t3\t4\t881250949000\n")
    with pytest.raises(DatasetError, match=r"u\.data, row 2, column TIMESTAMP"):
        load_movielens(folder)


def test_unknown_name(tmp_path):
    with pytest.raises(DatasetError, match="neither"):
        load_movielens("ml-25m-typo")
    with pytest.raises(DatasetError, match="no u.data"):
        load_movielens(tmp_path)


def test_download_true_fetches_once_then_uses_the_cache(tmp_path, monkeypatch, ml1m):
    import io
    import zipfile

    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w") as archive:
        for path in ml1m.iterdir():
            archive.write(path, f"ml-1m/{path.name}")
    requested: list[str] = []

    class FakeResponse(io.BytesIO):
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def fake_urlopen(url, timeout=None):
        requested.append(url)
        return FakeResponse(payload.getvalue())

    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr("urllib.request.urlopen", fake_urlopen)
    first = load_movielens("ml-1m", download=True)
    second = load_movielens("ml-1m", download=True)
    assert requested == ["https://files.grouplens.org/datasets/movielens/ml-1m.zip"]
    assert len(first.interactions) == len(second.interactions) == 3
    assert (tmp_path / "cache" / "ml-1m" / "ratings.dat").exists()
