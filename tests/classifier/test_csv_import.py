from __future__ import annotations

import csv
from pathlib import Path

import pytest

from classifier.dataset import Example, load_csv
from classifier.service import classify, retrain
from classifier.store import ModelStore

pytestmark = pytest.mark.pure

ROWS = {
    "城乡建设": [("小区停水", "我们小区停水三天了没有通知"), ("路灯不亮", "滨江大道的路灯晚上全都不亮"),
             ("物业不作为", "物业收了钱不管事，电梯坏了不修"), ("道路坑洼", "人民路坑坑洼洼，车子过去都跳")],
    "教育文体": [("入学问题", "孩子上小学划片不合理"), ("乱收费", "学校收资料费没有收据"),
             ("老师体罚", "老师体罚学生孩子不敢上学"), ("培训机构", "培训机构跑路了学费不退")],
    "劳动和社会保障": [("欠薪", "老板拖欠农民工工资半年"), ("养老金", "养老金一直没有到账"),
                 ("工伤", "在厂里受伤老板不给认定工伤"), ("医保", "医保报销比例太低")],
}


def _write_csv(path: Path, copies: int = 6) -> None:
    with path.open("w", newline="", encoding="utf-8-sig") as fh:  # with BOM, as Excel saves it
        w = csv.writer(fh)
        w.writerow(["id", "title", "body", "label"])
        n = 0
        for label, rows in ROWS.items():
            for k in range(copies):
                for title, body in rows:
                    n += 1
                    w.writerow([n, title, f"{body}，第{k}次反映", label])
        w.writerow([n + 1, "无标签", "这一行没有标签", ""])


def test_load_csv_joins_title_and_body_and_keeps_labels(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    _write_csv(path)
    examples = load_csv(path)
    assert len(examples) == 3 * 4 * 6  # the unlabelled row is skipped
    assert examples[0] == Example("小区停水。我们小区停水三天了没有通知，第0次反映", "城乡建设")


def test_train_from_csv_with_corrections_and_promote(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    _write_csv(path)
    store = ModelStore(tmp_path / "models")
    extra = [Example("学校食堂饭菜太差", "教育文体"), Example("社保卡激活不了", "劳动和社会保障")]
    meta, result = retrain(store, csv=path, extra=extra, progress=None)
    assert result is not None and result.promoted
    assert meta.n_classes == 3 and meta.source == str(path)
    pred = classify(store, "老板拖欠工资不给")
    assert pred is not None and pred.code == "劳动和社会保障"
    assert {c.code for c in pred.top} == set(ROWS)
    # a second run reuses the store's fixed slice, and an equal model is promoted again
    _meta2, result2 = retrain(store, csv=path, extra=extra, progress=None, version="second")
    assert result2 is not None and result2.promoted and store.current_version() == "second"
