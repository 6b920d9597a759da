"""Basket files: one basket per line, and invoice lines with a header."""

from __future__ import annotations

import pytest

from workbench.data import load_baskets
from workbench.errors import DatasetError


def test_one_basket_per_line(write):
    path = write("groceries.csv", "citrus fruit,semi-finished bread,margarine\n"
                                  "tropical fruit,yogurt,\n"
                                  "\n"
                                  "whole milk\n")
    frame, report = load_baskets(path)
    assert list(frame.columns) == ["BASKET_ID", "ITEM_ID"]
    assert frame.values.tolist() == [["1", "citrus fruit"], ["1", "semi-finished bread"], ["1", "margarine"],
                                     ["2", "tropical fruit"], ["2", "yogurt"], ["4", "whole milk"]]
    assert (report.rows_read, report.rows_kept, report.rows_rejected) == (4, 3, 1)
    # the empty padding field and the empty line are reported, not silently dropped
    assert report.rejected["row"].tolist() == [2, 3]


def test_invoice_lines_detected_by_header(write):
    path = write("retail.csv", "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,CustomerID\n"
                               "536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,17850\n"
                               "536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,17850\n"
                               "536366,22633,HAND WARMER,6,2010-12-01 08:28:00,\n")
    frame, report = load_baskets(path)
    assert list(frame.columns)[:4] == ["BASKET_ID", "ITEM_ID", "TIMESTAMP", "USER_ID"]
    assert frame["BASKET_ID"].tolist() == ["536365", "536365", "536366"]
    assert frame["ITEM_ID"].tolist() == ["85123A", "71053", "22633"]
    assert frame["TIMESTAMP"].tolist() == [1291191960, 1291191960, 1291192080]  # 2010-12-01 08:26 UTC
    assert frame["Description"].iloc[2] == "HAND WARMER"  # other columns are kept
    assert report.rows_read == report.rows_kept == 3


def test_invoice_lines_with_epoch_seconds(write):
    frame, _ = load_baskets(write("orders.csv", "order_id,product_id,timestamp\no1,p1,1700000000\no1,p2,1700000000\n"))
    assert frame["TIMESTAMP"].tolist() == [1_700_000_000, 1_700_000_000]


def test_invoice_line_without_item_raises_or_rejects(write):
    path = write("retail.csv", "Invoice,Item\nA,x\nA,\nB,y\n")
    with pytest.raises(DatasetError, match="row 2, column ITEM_ID"):
        load_baskets(path)
    frame, report = load_baskets(path, errors="reject")
    assert frame["ITEM_ID"].tolist() == ["x", "y"]
    assert report.rejected[["row", "column"]].values.tolist() == [[2, "ITEM_ID"]]


def test_unreadable_date_names_the_source_column(write):
    path = write("retail.csv", "Invoice,Item,InvoiceDate\nA,x,2010-12-01\nA,y,not a date\n")
    with pytest.raises(DatasetError, match="row 2, column InvoiceDate"):
        load_baskets(path)


def test_latin1_basket_file(write):
    path = write("latin.csv", "caf\u00e9,th\u00e9\n".encode("latin-1"))
    with pytest.raises(DatasetError, match="row 1") as info:
        load_baskets(path)
    assert "latin-1" in str(info.value)
    frame, _ = load_baskets(path, encoding="latin-1")
    assert frame["ITEM_ID"].tolist() == ["caf\u00e9", "th\u00e9"]


def test_empty_basket_file(write):
    with pytest.raises(DatasetError, match="empty"):
        load_baskets(write("e.csv", "\n\n"))
