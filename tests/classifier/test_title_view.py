"""The title view (text before the first 。) and the NB-weighted head: guards, fast path, saved state."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from classifier.features import TitleOf, build_features, export_state, import_state
from classifier.model import TextClassifier
from classifier.train import fit_linear, fit_plain

pytestmark = pytest.mark.pure

TITLED = [
    ("小区物业乱收费。物业公司今年突然把物业费涨了一倍，也没有开业主大会", "fee"),
    ("物业费涨价不合理。我们小区物业费一年涨了两次，请有关部门查一查", "fee"),
    ("物业乱收停车费。物业在小区里面乱收停车费，一个月三百块", "fee"),
    ("楼下长期停水。我们小区这周停水三天了，自来水公司也没有通知", "water"),
    ("小区停水没有通知。今天早上突然停水，家里老人孩子都没水用", "water"),
    ("自来水发黄。家里的自来水发黄有味道，停水以后一直这样", "water"),
    ("公司拖欠工资。老板拖欠我们三个月工资，到现在还不给", "wage"),
    ("工地拖欠农民工工资。包工头跑了，工地拖欠二十多人的工资", "wage"),
    ("拖欠工资找不到人。厂里拖欠工资半年，劳动监察也找不到老板", "wage"),
]
UNTITLED = [
    ("物业费太贵了物业也不管事", "fee"),
    ("这个月物业又乱收费", "fee"),
    ("楼里停水两天了没人管", "water"),
    ("停水了自来水公司电话打不通", "water"),
    ("老板拖欠工资不给", "wage"),
    ("拖欠工资三个月了", "wage"),
]


def _columns(features, name: str) -> int:
    return len(dict(features.transformer_list)[name].vocabulary_)


def test_title_is_the_text_before_the_first_full_stop() -> None:
    title = TitleOf()
    assert title("小区停水。三天了。没人管") == "小区停水"
    assert title("没有句号的一段话") == ""
    assert title("") == ""
    assert title("。正文") == ""


def test_no_text_has_a_title_fits_an_empty_title_view() -> None:
    texts = [t for t, _ in UNTITLED] + [""]
    features = build_features()
    X = features.fit_transform(texts)
    assert _columns(features, "title_word") == 0 and _columns(features, "title_char") == 0
    assert X.shape == (7, _columns(features, "word") + _columns(features, "char"))
    # a text with a title later still scores (the empty title view adds nothing)
    assert features.transform(["停水。三天了", ""]).shape == (2, X.shape[1])
    assert len(features.get_feature_names_out()) == X.shape[1]


def test_titles_all_below_min_df_fit_an_empty_title_view() -> None:
    features = build_features()
    features.fit_transform(["甲。停水三天", "乙。停水两天", "丙。停水一天"])  # each title seen once, min_df 2
    assert _columns(features, "title_char") == 0 and _columns(features, "title_word") == 0
    assert _columns(features, "char") > 0


def test_title_block_has_half_weight() -> None:
    features = build_features()
    X = sparse.csr_matrix(features.fit_transform([t for t, _ in TITLED]))
    offset = _columns(features, "word") + _columns(features, "char")
    width = _columns(features, "title_word")
    row = X[0, offset:offset + width].toarray().ravel()
    assert np.linalg.norm(row) == pytest.approx(0.5, abs=1e-5)


@pytest.fixture(scope="module")
def model() -> TextClassifier:
    data = TITLED + UNTITLED
    return fit_plain([t for t, _ in data], [lb for _, lb in data])


@pytest.mark.parametrize("text", [
    "小区物业乱收费。物业费涨了一倍",  # title seen in training
    "停水了。已经三天",  # title unseen as a whole
    "拖欠工资三个月了",  # no title
    "。只有正文没有标题",  # empty title
    "",
])
def test_fast_path_equals_transform(model: TextClassifier, text: str) -> None:
    idx, val = model.vectorize_one(text)
    row = sparse.csr_matrix(model.transform([text]))
    row.sort_indices()
    assert idx.tolist() == row.indices.tolist()
    assert np.allclose(val, row.data, atol=1e-6)
    fast = model.predict(text).top
    batch = model.proba_from_scores(model.decision(row))[0]
    assert [c.code for c in fast] == [model.classes[j] for j in np.argsort(-batch)[:3]]
    assert np.allclose([c.probability for c in fast], np.sort(batch)[::-1][:3], atol=1e-3)


def test_titled_text_uses_title_columns(model: TextClassifier) -> None:
    f = model.features
    offset = _columns(f, "word") + _columns(f, "char")
    idx, _ = model.vectorize_one("小区停水没有通知。今天又停水")
    assert (idx >= offset).any()
    idx, _ = model.vectorize_one("小区停水没有通知今天又停水")
    assert not (idx >= offset).any()


def test_export_import_keeps_scores(model: TextClassifier) -> None:
    again = import_state(export_state(model.features))
    texts = ["物业乱收停车费。一个月三百", "拖欠工资", ""]
    assert np.allclose(again.transform(texts).toarray(), model.features.transform(texts).toarray())


def test_state_saved_before_the_title_view_loads_without_it() -> None:
    old = build_features(title=False)
    old.fit_transform([t for t, _ in UNTITLED])
    state = export_state(old)
    del state["config"]["title"]  # what an older model's features.json holds
    for key in [k for k in state["config"] if k.startswith("title_")]:
        del state["config"][key]
    again = import_state(state)
    assert [name for name, _ in again.transformer_list] == ["word", "char"]
    assert np.allclose(again.transform(["停水两天"]).toarray(), old.transform(["停水两天"]).toarray())


def test_nb_head_is_one_linear_score_per_class() -> None:
    X = sparse.csr_matrix(np.array([[1, 0, 0], [1, 0.5, 0], [0, 1, 0], [0, 1, 0.2], [0, 0, 1], [0.1, 0, 1]],
                                   dtype=np.float32))
    y = ["a", "a", "b", "b", "c", "c"]
    coef, intercept, classes = fit_linear(X, y, nb=True)
    assert coef.shape == (3, 3) and intercept.shape == (3,) and classes == ["a", "b", "c"]
    assert [classes[i] for i in np.asarray(X @ coef.T + intercept).argmax(axis=1)] == y
    coef2, _, classes2 = fit_linear(X[:4], y[:4], nb=True)  # two classes: still one row each
    assert coef2.shape == (2, 3) and classes2 == ["a", "b"]
